//! YAML read into a tree that remembers where every key and value is, so every file
//! shipgate reads (the spec, policies, Kubernetes manifests, values files) can point a
//! diagnostic at `FILE:LINE:COL`.
//!
//! Scalars are resolved with the YAML 1.2 core schema, so `on:` is a string key (not the
//! boolean YAML 1.1 made of it) and `0755` is an integer only when it looks like one.
//! Duplicate keys and non-scalar keys are syntax errors here, before any schema check
//! sees the tree.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A byte range in the spec's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// The byte offset from the start of the text.
    pub offset: usize,
    /// The length in bytes.
    pub len: usize,
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.offset, span.len).into()
    }
}

/// A YAML value with its position.
#[derive(Debug, Clone)]
pub struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where it is in the text.
    pub span: Span,
}

/// The value of a [`Node`].
#[derive(Debug, Clone)]
pub enum NodeValue {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (any scalar that is none of the above, and every quoted scalar).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// Keys keep their own span so an unknown key can be pointed at.
    Map(Vec<(String, Span, Node)>),
}

/// A problem found while reading the YAML text.
#[derive(Debug, Clone)]
pub struct SyntaxProblem {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// The label under the pointed-at text.
    pub label: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// Where each JSON pointer of the converted document came from.
#[derive(Debug, Default)]
pub struct SpanIndex {
    /// Pointer → (span of the key that introduced it, span of its value).
    entries: BTreeMap<String, (Option<Span>, Span)>,
}

impl SpanIndex {
    /// The value span of `pointer`, or of its nearest ancestor that exists.
    pub fn value(&self, pointer: &str) -> Span {
        self.lookup(pointer).1
    }

    /// The key span of `pointer` when it is a mapping entry, else its value span.
    pub fn key_or_value(&self, pointer: &str) -> Span {
        let (key, value) = self.lookup(pointer);
        key.unwrap_or(value)
    }

    fn lookup(&self, pointer: &str) -> (Option<Span>, Span) {
        let mut current = pointer;
        loop {
            if let Some(found) = self.entries.get(current) {
                return *found;
            }
            match current.rfind('/') {
                Some(i) => current = &current[..i],
                None => return (None, Span::default()),
            }
        }
    }
}

/// Parses `text` into its documents (none for an empty text), or every syntax problem
/// found.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, Vec<SyntaxProblem>> {
    // A UTF-8 byte-order mark (written by some Windows editors) is not part of the
    // document; spans keep counting from the start of the file.
    let (body, shift) = match text.strip_prefix('\u{feff}') {
        Some(body) => (body, '\u{feff}'.len_utf8()),
        None => (text, 0),
    };
    let mut builder = Builder::new(body, shift);
    let mut parser = Parser::new_from_str(body);
    if let Err(error) = parser.load(&mut builder, true) {
        let marker = error.marker();
        let offset = char_to_byte(body, marker.index());
        builder.problems.push(SyntaxProblem {
            message: format!("invalid YAML: {}", error.info()),
            span: Span {
                offset: offset.min(body.len()) + shift,
                len: 1,
            },
            label: "here".to_owned(),
            hint: Some(
                "check the indentation and quoting on this line and the one before it".to_owned(),
            ),
        });
        return Err(builder.problems);
    }
    if !builder.problems.is_empty() {
        return Err(builder.problems);
    }
    Ok(builder.documents)
}

/// Parses `text` that must hold at most one document (`what` names it in the error, as
/// in "a spec"); an empty text is a `null` document.
pub fn parse(text: &str, what: &str) -> Result<Node, Vec<SyntaxProblem>> {
    let mut documents = parse_documents(text)?;
    match documents.len() {
        0 => Ok(Node {
            value: NodeValue::Null,
            span: Span::default(),
        }),
        1 => Ok(documents.remove(0)),
        _ => Err(vec![SyntaxProblem {
            message: format!("{what} holds exactly one YAML document"),
            span: documents[1].span,
            label: "second document starts here".to_owned(),
            hint: Some("remove the `---` separator and everything after it".to_owned()),
        }]),
    }
}

/// yaml-rust2 counts markers in characters; miette wants bytes.
fn char_to_byte(text: &str, char_index: usize) -> usize {
    text.char_indices()
        .nth(char_index)
        .map_or(text.len(), |(byte, _)| byte)
}

/// Character index → byte offset in constant time: the identity for ASCII text, else a
/// table built once (a per-event walk from the start made large files quadratic).
struct CharOffsets {
    /// The byte offset of every character, `None` when the text is ASCII.
    table: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| text.char_indices().map(|(byte, _)| byte).collect());
        Self {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// Converts the tree to JSON for schema checking, recording every pointer's span.
pub fn to_json(node: &Node) -> (Value, SpanIndex) {
    let mut index = SpanIndex::default();
    index.entries.insert(String::new(), (None, node.span));
    let value = convert(node, "", &mut index);
    (value, index)
}

fn convert(node: &Node, pointer: &str, index: &mut SpanIndex) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => Value::Number((*i).into()),
        NodeValue::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        NodeValue::Str(s) => Value::String(s.clone()),
        NodeValue::Seq(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let child = format!("{pointer}/{i}");
                    index.entries.insert(child.clone(), (None, item.span));
                    convert(item, &child, index)
                })
                .collect(),
        ),
        NodeValue::Map(entries) => {
            let mut map = Map::new();
            for (key, key_span, value) in entries {
                let child = format!("{pointer}/{}", escape_pointer(key));
                index
                    .entries
                    .insert(child.clone(), (Some(*key_span), value.span));
                let converted = convert(value, &child, index);
                map.insert(key.clone(), converted);
            }
            Value::Object(map)
        }
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    Seq {
        start: Span,
        items: Vec<Node>,
        anchor: usize,
    },
    Map {
        start: Span,
        entries: Vec<(String, Span, Node)>,
        pending_key: Option<(String, Span)>,
        anchor: usize,
    },
}

struct Builder<'a> {
    /// The document text (without a byte-order mark).
    text: &'a str,
    /// Character positions of `text` as byte offsets.
    offsets: CharOffsets,
    /// Bytes before `text` in the file (the byte-order mark), added to every span.
    shift: usize,
    stack: Vec<Frame>,
    documents: Vec<Node>,
    anchors: BTreeMap<usize, Node>,
    problems: Vec<SyntaxProblem>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, shift: usize) -> Self {
        Self {
            text,
            offsets: CharOffsets::new(text),
            shift,
            stack: Vec::new(),
            documents: Vec::new(),
            anchors: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    fn span_at(&self, marker: Marker, len: usize) -> Span {
        let offset = self.offsets.byte(marker.index());
        Span {
            offset: offset + self.shift,
            len: len.min(self.text.len().saturating_sub(offset)).max(1),
        }
    }

    /// The length of a scalar as written: its first line, with quotes when quoted.
    fn scalar_len(&self, offset: usize, value: &str, style: TScalarStyle) -> usize {
        let rest = self.text.get(offset..).unwrap_or("");
        let line = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
        match style {
            TScalarStyle::Plain => {
                let first = value.split('\n').next().unwrap_or("");
                first.len().min(line.len()).max(1)
            }
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let quote = if matches!(style, TScalarStyle::SingleQuoted) {
                    '\''
                } else {
                    '"'
                };
                line.char_indices()
                    .skip(1)
                    .find(|&(i, c)| c == quote && !line[..i].ends_with('\\'))
                    .map_or(line.len(), |(i, _)| i + 1)
            }
            _ => line.len().max(1),
        }
    }

    fn push_node(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    // This node is a key.
                    match &node.value {
                        NodeValue::Str(s) => *pending_key = Some((s.clone(), node.span)),
                        NodeValue::Null => *pending_key = Some((String::new(), node.span)),
                        NodeValue::Bool(_) | NodeValue::Int(_) | NodeValue::Float(_) => {
                            let start = node.span.offset - self.shift;
                            let raw = self
                                .text
                                .get(start..start + node.span.len)
                                .unwrap_or("")
                                .to_owned();
                            *pending_key = Some((raw, node.span));
                        }
                        NodeValue::Seq(_) | NodeValue::Map(_) => {
                            self.problems.push(SyntaxProblem {
                                message: "mapping keys must be plain strings".to_owned(),
                                span: node.span,
                                label: "complex key".to_owned(),
                                hint: None,
                            });
                            *pending_key = Some((String::new(), node.span));
                        }
                    }
                }
                Some((key, key_span)) => {
                    if let Some((_, first_span, _)) = entries.iter().find(|(k, _, _)| *k == key) {
                        let (line, _) =
                            crate::diagnostic::line_col(self.text, first_span.offset - self.shift);
                        self.problems.push(SyntaxProblem {
                            message: format!("duplicate key `{key}`"),
                            span: key_span,
                            label: "defined again here".to_owned(),
                            hint: Some(format!(
                                "`{key}` is first defined on line {line}; keep one of them"
                            )),
                        });
                    } else {
                        entries.push((key, key_span, node));
                    }
                }
            },
        }
    }
}

fn resolve_plain(value: &str) -> NodeValue {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return NodeValue::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return NodeValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return NodeValue::Float(f64::NAN),
        _ => {}
    }
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = value.parse::<i64>()
    {
        return NodeValue::Int(i);
    }
    if let Some(hex) = value.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return NodeValue::Int(i);
    }
    if let Some(oct) = value.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return NodeValue::Int(i);
    }
    if looks_like_float(value)
        && let Ok(f) = value.parse::<f64>()
    {
        return NodeValue::Float(f);
    }
    NodeValue::Str(value.to_owned())
}

/// YAML 1.2 core float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn looks_like_float(value: &str) -> bool {
    let s = value.strip_prefix(['-', '+']).unwrap_or(value);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() && !frac.is_empty() || !int.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

fn is_str_tag(tag: Option<&Tag>) -> bool {
    tag.is_some_and(|t| t.suffix == "str")
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, marker: Marker) {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let offset = self.offsets.byte(marker.index());
                let len = self.scalar_len(offset, &value, style);
                let span = self.span_at(marker, len);
                let resolved = if matches!(style, TScalarStyle::Plain) && !is_str_tag(tag.as_ref())
                {
                    resolve_plain(&value)
                } else {
                    NodeValue::Str(value)
                };
                self.push_node(
                    Node {
                        value: resolved,
                        span,
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => {
                let start = self.span_at(marker, 1);
                self.stack.push(Frame::Seq {
                    start,
                    items: Vec::new(),
                    anchor,
                });
            }
            Event::MappingStart(anchor, _) => {
                let start = self.span_at(marker, 1);
                self.stack.push(Frame::Map {
                    start,
                    entries: Vec::new(),
                    pending_key: None,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        items,
                        anchor,
                    }) => (
                        Node {
                            value: NodeValue::Seq(items),
                            span: start,
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        start,
                        entries,
                        anchor,
                        ..
                    }) => {
                        // A block mapping's start event is marked after its first key;
                        // the mapping starts where that key does.
                        let span = match entries.first() {
                            Some((_, key_span, _)) if key_span.offset < start.offset => *key_span,
                            _ => start,
                        };
                        (
                            Node {
                                value: NodeValue::Map(entries),
                                span,
                            },
                            anchor,
                        )
                    }
                    None => return,
                };
                self.push_node(node, anchor);
            }
            Event::Alias(id) => {
                let span = self.span_at(marker, 1);
                match self.anchors.get(&id).cloned() {
                    Some(mut node) => {
                        node.span = span;
                        self.push_node(node, 0);
                    }
                    None => self.problems.push(SyntaxProblem {
                        message: "alias refers to an unknown anchor".to_owned(),
                        span,
                        label: "unknown anchor".to_owned(),
                        hint: None,
                    }),
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        to_json(&parse(text, "a spec").unwrap()).0
    }

    #[test]
    fn resolves_core_schema_scalars() {
        let value = json("a: on\nb: yes\nc: true\nd: 010\ne: 1.5\nf: ~\ng: '1'\nh: 1e3\ni: v1.0\n");
        assert_eq!(
            value,
            serde_json::json!({"a": "on", "b": "yes", "c": true, "d": 10, "e": 1.5, "f": null, "g": "1", "h": 1000.0, "i": "v1.0"})
        );
    }

    #[test]
    fn records_key_and_value_spans() {
        let text = "version: 1\nimage:\n  name: ghcr.io/acme/web\n";
        let (_, index) = to_json(&parse(text, "a spec").unwrap());
        let key = index.key_or_value("/image/name");
        assert_eq!(&text[key.offset..key.offset + key.len], "name");
        let value = index.value("/image/name");
        assert_eq!(
            &text[value.offset..value.offset + value.len],
            "ghcr.io/acme/web"
        );
        let quoted = "a: \"x y\" # c\n";
        let (_, index) = to_json(&parse(quoted, "a spec").unwrap());
        let value = index.value("/a");
        assert_eq!(&quoted[value.offset..value.offset + value.len], "\"x y\"");
    }

    #[test]
    fn reports_every_duplicate_key() {
        let problems = parse("a: 1\nb: 2\na: 3\nb: 4\n", "a spec").unwrap_err();
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].message, "duplicate key `a`");
    }

    #[test]
    fn syntax_error_points_at_position() {
        let text = "image:\n  name: [a, b\n";
        let problems = parse(text, "a spec").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.starts_with("invalid YAML"));
    }

    #[test]
    fn rejects_several_documents() {
        let problems = parse("a: 1\n---\nb: 2\n", "a spec").unwrap_err();
        assert!(problems[0].message.contains("one YAML document"));
    }

    #[test]
    fn byte_order_mark_is_skipped_and_spans_still_index_the_file() {
        let text = "\u{feff}version: 1\nimage: {}\n";
        let (value, index) = to_json(&parse(text, "a spec").unwrap());
        assert_eq!(value, serde_json::json!({"version": 1, "image": {}}));
        let key = index.key_or_value("/version");
        assert_eq!(&text[key.offset..key.offset + key.len], "version");
    }

    #[test]
    fn aliases_expand() {
        assert_eq!(
            json("a: &x [1, 2]\nb: *x\n"),
            serde_json::json!({"a": [1, 2], "b": [1, 2]})
        );
    }

    #[test]
    fn multibyte_text_keeps_byte_offsets() {
        let text = "a: \"é\"\nbé: 2\n";
        let (_, index) = to_json(&parse(text, "a spec").unwrap());
        let key = index.key_or_value("/bé");
        assert_eq!(&text[key.offset..key.offset + key.len], "bé");
    }
}
