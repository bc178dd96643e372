//! Maven's `ComparableVersion` (maven-artifact 3.9/4.0): mixed `.`/`-` separators,
//! digit/letter transitions as separators, well-known qualifiers, combination items
//! (`rc1`, `x-1`) and sub-lists after `-`.

use std::cmp::Ordering;

use super::cmp_digits;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits without leading zeros (`""` is 0).
    Int(String),
    /// A qualifier (aliases already applied).
    Str(String),
    /// A qualifier directly followed by a number (`rc1`, `x-1`).
    Combination(String, String),
    List(Vec<Self>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_QUALIFIERS: [&str; 3] = ["ga", "final", "release"];
const RELEASE_INDEX: &str = "5";

fn comparable_qualifier(q: &str) -> String {
    if RELEASE_QUALIFIERS.contains(&q) {
        return RELEASE_INDEX.to_owned();
    }
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

/// `new StringItem(value, followedByDigit)`.
fn qualifier(value: &str, followed_by_digit: bool) -> String {
    let mut value = value;
    if followed_by_digit && value.len() == 1 {
        value = match value {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    if value == "cr" {
        "rc".to_owned()
    } else {
        value.to_owned()
    }
}

fn parse_item(is_combination: bool, is_digit: bool, buf: &str) -> Item {
    if is_combination {
        let v = buf.replace('-', "");
        let index = v.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
        Item::Combination(
            qualifier(&v[..index], true),
            v[index..].trim_start_matches('0').to_owned(),
        )
    } else if is_digit {
        Item::Int(buf.trim_start_matches('0').to_owned())
    } else {
        Item::Str(qualifier(buf, false))
    }
}

fn cmp_str(value: &str, other: Option<&Item>) -> Ordering {
    match other {
        None => comparable_qualifier(value).as_str().cmp(RELEASE_INDEX),
        Some(Item::Int(_) | Item::List(_)) => Ordering::Less,
        Some(Item::Str(b)) => comparable_qualifier(value).cmp(&comparable_qualifier(b)),
        Some(Item::Combination(s, _)) => match cmp_str(value, Some(&Item::Str(s.clone()))) {
            Ordering::Equal => Ordering::Less,
            other => other,
        },
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Self::Int(v) | Self::Str(v) => v.is_empty(),
            Self::Combination(..) => false,
            Self::List(items) => items.is_empty(),
        }
    }

    fn cmp_item(&self, other: Option<&Self>) -> Ordering {
        match self {
            Self::Int(a) => match other {
                None => {
                    if a.is_empty() {
                        Ordering::Equal
                    } else {
                        Ordering::Greater
                    }
                }
                Some(Self::Int(b)) => cmp_digits(a, b),
                Some(_) => Ordering::Greater,
            },
            Self::Str(v) => cmp_str(v, other),
            Self::Combination(s, d) => match other {
                None => cmp_str(s, None),
                Some(Self::Int(_) | Self::List(_)) => Ordering::Less,
                Some(item @ Self::Str(_)) => match cmp_str(s, Some(item)) {
                    Ordering::Equal => Ordering::Greater,
                    o => o,
                },
                Some(Self::Combination(s2, d2)) => match cmp_str(s, Some(&Self::Str(s2.clone()))) {
                    Ordering::Equal => cmp_digits(d, d2),
                    o => o,
                },
            },
            Self::List(items) => match other {
                None => items
                    .iter()
                    .map(|i| i.cmp_item(None))
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or(Ordering::Equal),
                Some(Self::Int(_)) => Ordering::Less,
                Some(Self::Str(_) | Self::Combination(..)) => Ordering::Greater,
                Some(Self::List(right)) => {
                    let n = items.len().max(right.len());
                    for i in 0..n {
                        let result = match (items.get(i), right.get(i)) {
                            (None, None) => Ordering::Equal,
                            (None, Some(r)) => r.cmp_item(None).reverse(),
                            (Some(l), r) => l.cmp_item(r),
                        };
                        if result != Ordering::Equal {
                            return result;
                        }
                    }
                    Ordering::Equal
                }
            },
        }
    }
}

/// `ListItem.normalize`: drops a null item when it is last, or when a string, or a list
/// starting with a string or combination, follows it.
fn normalize(items: &mut Vec<Item>) {
    let mut i = items.len();
    while i > 0 {
        i -= 1;
        if !items[i].is_null() {
            continue;
        }
        let remove = match items.get(i + 1) {
            None | Some(Item::Str(_)) => true,
            Some(Item::List(next)) => {
                matches!(next.first(), Some(Item::Combination(..) | Item::Str(_)))
            }
            Some(_) => false,
        };
        if remove {
            items.remove(i);
        }
    }
}

/// `ComparableVersion.parseVersion`. Each stack entry is a list under construction; a new
/// list is always the last element of its parent, so it is attached when closed.
fn parse(version: &str) -> Item {
    let version = version.to_lowercase();
    let chars: Vec<char> = version.chars().collect();
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut is_combination = false;
    let mut start = 0usize;
    let text = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    fn current(stack: &mut [Vec<Item>]) -> &mut Vec<Item> {
        let last = stack.len() - 1;
        &mut stack[last]
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '.' {
            let item = if i == start {
                Item::Int(String::new())
            } else {
                parse_item(is_combination, is_digit, &text(start, i))
            };
            current(&mut stack).push(item);
            is_combination = false;
            start = i + 1;
        } else if c == '-' {
            if i == start {
                current(&mut stack).push(Item::Int(String::new()));
            } else {
                // X-1 is read as X1.
                if !is_digit && i != chars.len() - 1 && chars[i + 1].is_ascii_digit() {
                    is_combination = true;
                    i += 1;
                    continue;
                }
                let item = parse_item(is_combination, is_digit, &text(start, i));
                current(&mut stack).push(item);
            }
            start = i + 1;
            if !current(&mut stack).is_empty() {
                stack.push(Vec::new());
            }
            is_combination = false;
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                is_combination = true;
                if !current(&mut stack).is_empty() {
                    stack.push(Vec::new());
                }
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                let item = parse_item(is_combination, true, &text(start, i));
                current(&mut stack).push(item);
                start = i;
                stack.push(Vec::new());
                is_combination = false;
            }
            is_digit = false;
        }
        i += 1;
    }
    if chars.len() > start {
        // 1.0.0.X1 < 1.0.0-X2: a trailing .X reads as -X.
        if !is_digit && !current(&mut stack).is_empty() {
            stack.push(Vec::new());
        }
        let item = parse_item(is_combination, is_digit, &text(start, chars.len()));
        current(&mut stack).push(item);
    }
    while stack.len() > 1 {
        let mut inner = stack.pop().unwrap_or_default();
        normalize(&mut inner);
        current(&mut stack).push(Item::List(inner));
    }
    let mut root = stack.pop().unwrap_or_default();
    normalize(&mut root);
    Item::List(root)
}

/// Compares two Maven versions; every string is a valid Maven version.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    parse(a).cmp_item(Some(&parse(b)))
}
