//! The Handlebars subset docker/metadata-action's inputs use: `{{name}}`,
//! `{{helper 'arg' key='value'}}`, `{{{triple}}}`, `{{! comment}}`, `\{{` for a literal
//! `{{`, and `~` whitespace control.
//!
//! Differences from Handlebars.js, on purpose: values are never HTML-escaped (the action
//! leaks `&amp;`, `&#x3D;`... into labels and tags); block expressions (`{{#if}}`) and
//! sub-expressions are rejected with an error instead of being half-supported.

/// A parameter of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    /// `'text'` or `"text"`.
    Str(String),
    /// A number, `true`, `false`, `null`: kept as written.
    Literal(String),
    /// A bare name: a path lookup, always undefined in these inputs.
    Path(String),
}

impl Param {
    /// The string value of a quoted or literal parameter; `None` for a path.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::Str(s) | Self::Literal(s) => Some(s),
            Self::Path(_) => None,
        }
    }
}

/// One `{{...}}` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    /// The helper or variable name.
    pub(crate) name: String,
    /// Positional parameters.
    pub(crate) params: Vec<Param>,
    /// `key=value` parameters, in order.
    pub(crate) hash: Vec<(String, Param)>,
}

enum Piece {
    Text(String),
    Expr(Call),
}

fn tokenize(content: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in content.chars() {
        match quote {
            Some(q) if c == q => {
                current.push(c);
                quote = None;
            }
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => {
                current.push(c);
                quote = Some(c);
            }
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            None => current.push(c),
        }
    }
    if quote.is_some() {
        return Err(format!("unterminated string in `{{{{{content}}}}}`"));
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    Ok(tokens)
}

fn param(token: &str) -> Param {
    let quoted = token.len() >= 2
        && ((token.starts_with('\'') && token.ends_with('\''))
            || (token.starts_with('"') && token.ends_with('"')));
    if quoted {
        Param::Str(token[1..token.len() - 1].to_owned())
    } else if token.parse::<f64>().is_ok() || matches!(token, "true" | "false" | "null") {
        Param::Literal(token.to_owned())
    } else {
        Param::Path(token.to_owned())
    }
}

fn parse_call(content: &str) -> Result<Call, String> {
    let tokens = tokenize(content)?;
    let Some((name, rest)) = tokens.split_first() else {
        return Err("empty expression `{{}}`".to_owned());
    };
    let mut call = Call {
        name: name.clone(),
        params: Vec::new(),
        hash: Vec::new(),
    };
    for token in rest {
        if token.starts_with('(') {
            return Err(format!(
                "sub-expressions are not supported: `{{{{{content}}}}}`"
            ));
        }
        match token.split_once('=') {
            Some((key, value))
                if !key.is_empty()
                    && !key.starts_with(['\'', '"'])
                    && key
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
            {
                call.hash.push((key.to_owned(), param(value)));
            }
            _ => call.params.push(param(token)),
        }
    }
    Ok(call)
}

fn parse(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        if rest[..start].ends_with('\\') {
            text.push_str(&rest[..start - 1]);
            text.push_str("{{");
            rest = &rest[start + 2..];
            continue;
        }
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let triple = after.starts_with('{');
        let body_start = usize::from(triple);
        let close = if triple { "}}}" } else { "}}" };
        let Some(end) = after[body_start..].find(close) else {
            return Err(format!("unclosed `{{{{` in `{template}`"));
        };
        let mut content = &after[body_start..body_start + end];
        rest = &after[body_start + end + close.len()..];
        if let Some(stripped) = content.strip_prefix('~') {
            content = stripped;
            let trimmed = text.trim_end().len();
            text.truncate(trimmed);
        }
        if let Some(stripped) = content.strip_suffix('~') {
            content = stripped;
            rest = rest.trim_start();
        }
        let content = content.trim();
        if content.starts_with('!') {
            continue;
        }
        if content.starts_with(['#', '/', '^', '>', '&']) || content == "else" {
            return Err(format!(
                "`{{{{{content}}}}}`: block and partial expressions are not supported"
            ));
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Expr(parse_call(content)?));
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Renders `template`, asking `resolve` for each expression. `resolve` returns
/// `Ok(None)` for a name it does not know: like Handlebars.js, an unknown name without
/// parameters renders as nothing, one with parameters is an error.
pub(crate) fn render(
    template: &str,
    resolve: &mut dyn FnMut(&Call) -> Result<Option<String>, String>,
) -> Result<String, String> {
    if !template.contains("{{") {
        return Ok(template.to_owned());
    }
    let mut out = String::new();
    for piece in parse(template)? {
        match piece {
            Piece::Text(text) => out.push_str(&text),
            Piece::Expr(call) => match resolve(&call)? {
                Some(value) => out.push_str(&value),
                None if call.params.is_empty() && call.hash.is_empty() => {}
                None => return Err(format!("missing helper: `{}`", call.name)),
            },
        }
    }
    Ok(out)
}

/// True when `template` has an expression named one of `names`.
pub(crate) fn references(template: &str, names: &[&str]) -> bool {
    parse(template).is_ok_and(|pieces| {
        pieces
            .iter()
            .any(|p| matches!(p, Piece::Expr(call) if names.contains(&call.name.as_str())))
    })
}

/// True when the template is exactly one `{{raw}}` expression (`{{ raw }}`, `{{{raw}}}`,
/// `{{~raw~}}` too), as Handlebars.js parses it.
pub(crate) fn is_raw_statement(template: &str) -> bool {
    matches!(parse(template).as_deref(), Ok([Piece::Expr(call)]) if call.name == "raw" && call.params.is_empty() && call.hash.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(template: &str) -> Result<String, String> {
        render(template, &mut |call| {
            Ok(match call.name.as_str() {
                "branch" => Some("feat&x".to_owned()),
                "date" => Some(format!("{:?}|{:?}", call.params, call.hash)),
                _ => None,
            })
        })
    }

    #[test]
    fn renders_like_handlebars_without_escaping() {
        assert_eq!(run("plain").unwrap(), "plain");
        assert_eq!(run("b-{{branch}}-{{{branch}}}").unwrap(), "b-feat&x-feat&x");
        assert_eq!(run("{{ branch }}{{unknown}}.").unwrap(), "feat&x.");
        assert_eq!(run("a {{~branch~}} b").unwrap(), "afeat&xb");
        assert_eq!(run("\\{{branch}}").unwrap(), "{{branch}}");
        assert_eq!(run("x{{! note }}y").unwrap(), "xy");
        assert_eq!(
            run("{{date 'YYYY MM' tz=\"Asia/Tokyo\"}}").unwrap(),
            "[Str(\"YYYY MM\")]|[(\"tz\", Str(\"Asia/Tokyo\"))]"
        );
        assert_eq!(run("{{date YYYY}}").unwrap(), "[Path(\"YYYY\")]|[]");
        assert!(run("{{nope 'x'}}").is_err());
        assert!(run("{{#if branch}}x{{/if}}").is_err());
        assert!(run("{{branch").is_err());
        assert!(run("{{date 'x}}").is_err());
    }

    #[test]
    fn raw_statements_and_references() {
        assert!(is_raw_statement("{{ raw }}"));
        assert!(is_raw_statement("{{{raw}}}"));
        assert!(!is_raw_statement(" {{raw}}"));
        assert!(!is_raw_statement("v{{raw}}"));
        assert!(references("{{major}}-{{channel}}", &["channel"]));
        assert!(!references("{{major}}", &["channel"]));
    }
}
