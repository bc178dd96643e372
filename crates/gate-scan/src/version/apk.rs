//! apk-tools' version ordering (`src/version.c` of apk-tools 2.14/3.x):
//! `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`.

use std::cmp::Ordering;

use super::{Error, invalid};

const NAME: &str = "Alpine (apk)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix ranks: pre-release suffixes below `NONE`, post-release ones above.
const SUFFIX_NONE: u8 = 5;

fn suffix_value(s: &[u8]) -> Option<u8> {
    let value = match s {
        b"alpha" => 1,
        b"beta" => 2,
        b"pre" => 3,
        b"rc" => 4,
        b"cvs" => 6,
        b"svn" => 7,
        b"git" => 8,
        b"hg" => 9,
        b"p" => 10,
        _ => return None,
    };
    Some(value)
}

struct State<'a> {
    token: Token,
    suffix: u8,
    number: u64,
    value: &'a [u8],
    rest: &'a [u8],
}

impl<'a> State<'a> {
    fn first(s: &'a [u8]) -> Self {
        let mut state = Self {
            token: Token::InitialDigit,
            suffix: 0,
            number: 0,
            value: &[],
            rest: s,
        };
        state.parse_digits();
        state
    }

    fn parse_digits(&mut self) {
        let n = self.rest.iter().take_while(|c| c.is_ascii_digit()).count();
        self.value = &self.rest[..n];
        self.number = self.value.iter().fold(0u64, |acc, c| {
            acc.wrapping_mul(10).wrapping_add(u64::from(c - b'0'))
        });
        self.rest = &self.rest[n..];
        if n == 0 {
            self.token = Token::Invalid;
        }
    }

    fn next(&mut self) {
        let Some(&c) = self.rest.first() else {
            self.token = Token::End;
            return;
        };
        match c {
            b'a'..=b'z' => {
                if self.token > Token::Digit {
                    self.token = Token::Invalid;
                    return;
                }
                self.value = &self.rest[..1];
                self.token = Token::Letter;
                self.rest = &self.rest[1..];
            }
            b'.' | b'0'..=b'9' => {
                if c == b'.' {
                    if self.token > Token::Digit {
                        self.token = Token::Invalid;
                        return;
                    }
                    self.rest = &self.rest[1..];
                }
                self.token = match self.token {
                    Token::InitialDigit | Token::Digit => Token::Digit,
                    Token::Suffix => Token::SuffixNo,
                    _ => {
                        self.token = Token::Invalid;
                        return;
                    }
                };
                self.parse_digits();
            }
            b'_' => {
                if self.token > Token::SuffixNo {
                    self.token = Token::Invalid;
                    return;
                }
                self.rest = &self.rest[1..];
                let n = self
                    .rest
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase())
                    .count();
                self.value = &self.rest[..n];
                self.rest = &self.rest[n..];
                match suffix_value(self.value) {
                    Some(v) => {
                        self.suffix = v;
                        self.token = Token::Suffix;
                    }
                    None => self.token = Token::Invalid,
                }
            }
            b'~' => {
                if self.token >= Token::CommitHash {
                    self.token = Token::Invalid;
                    return;
                }
                self.rest = &self.rest[1..];
                let n = self
                    .rest
                    .iter()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count();
                self.value = &self.rest[..n];
                self.rest = &self.rest[n..];
                self.token = if n == 0 {
                    Token::Invalid
                } else {
                    Token::CommitHash
                };
            }
            b'-' => {
                if self.token >= Token::RevisionNo || !self.rest.starts_with(b"-r") {
                    self.token = Token::Invalid;
                    return;
                }
                self.rest = &self.rest[2..];
                self.token = Token::RevisionNo;
                self.parse_digits();
            }
            _ => self.token = Token::Invalid,
        }
    }
}

fn blob_sort(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

fn token_cmp(a: &State<'_>, b: &State<'_>) -> Ordering {
    match a.token {
        Token::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => {
            blob_sort(a.value, b.value)
        }
        Token::Digit | Token::InitialDigit | Token::SuffixNo | Token::RevisionNo => {
            a.number.cmp(&b.number)
        }
        Token::Letter => a.value.first().cmp(&b.value.first()),
        Token::Suffix => a.suffix.cmp(&b.suffix),
        _ => blob_sort(a.value, b.value),
    }
}

/// `apk_version_validate`.
pub(crate) fn validate(version: &str) -> Result<(), Error> {
    let mut state = State::first(version.as_bytes());
    while state.token < Token::End {
        state.next();
    }
    if state.token == Token::End {
        Ok(())
    } else {
        Err(invalid(
            NAME,
            version,
            "expected digit{.digit}...{letter}{_suffix{number}}...{~hash}{-rN}",
        ))
    }
}

/// `apk_version_compare` on two valid versions.
pub(crate) fn compare(a: &str, b: &str) -> Result<Ordering, Error> {
    validate(a)?;
    validate(b)?;
    Ok(compare_unchecked(a, b))
}

/// `apk_version_compare` as apk runs it, also on invalid versions.
pub(crate) fn compare_unchecked(a: &str, b: &str) -> Ordering {
    let mut ta = State::first(a.as_bytes());
    let mut tb = State::first(b.as_bytes());
    while ta.token == tb.token && ta.token < Token::End {
        let r = token_cmp(&ta, &tb);
        if r != Ordering::Equal {
            return r;
        }
        ta.next();
        tb.next();
    }
    if ta.token == tb.token {
        return Ordering::Equal;
    }
    if ta.token == Token::Suffix && ta.suffix < SUFFIX_NONE {
        return Ordering::Less;
    }
    if tb.token == Token::Suffix && tb.suffix < SUFFIX_NONE {
        return Ordering::Greater;
    }
    // A token later in the grammar means the other version went on with more parts.
    tb.token.cmp(&ta.token)
}
