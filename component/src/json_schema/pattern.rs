//! `pattern`: the regular expressions llama.cpp's converter translates, as
//! grammars of a JSON string's content. Supported: literals and escapes,
//! `.`, classes (`[a-z_]`, `[^...]`, `\d \w \s` and their negations), groups
//! (`(...)`, `(?:...)`, `(?<name>...)`), alternation, and the quantifiers
//! `* + ? {n} {n,} {n,m}` (lazy ones too: the strings they match are the same).
//! Refused, with the construct named: backreferences, lookarounds, word
//! boundaries, Unicode properties, and anchors anywhere but at the ends.
//!
//! The grammar admits whole matches only: a string that matches `pattern`
//! entirely also contains a match, so an unanchored pattern is treated as if
//! anchored (a subset of what it allows, which is all constrained decoding needs).
//! Characters a JSON string must escape appear escaped; control characters and
//! DEL are left out of `.` and negated classes.

use super::{gbnf_literal, Res, MAX_DEPTH, MAX_REPEAT};

/// The grammar expression for the content of strings that match `pattern`.
pub fn content(pattern: &str, path: &str) -> Res {
    let mut chars: Vec<char> = pattern.chars().collect();
    if chars.first() == Some(&'^') {
        chars.remove(0);
    }
    if chars.last() == Some(&'$') && !ends_escaped(&chars) {
        chars.pop();
    }
    let mut parser = Parser { chars, at: 0, path };
    let expr = parser.alternation(0)?;
    if parser.at < parser.chars.len() {
        return Err(parser.error(&format!("an unmatched `{}`", parser.chars[parser.at])));
    }
    Ok(expr)
}

/// Whether the last character is escaped (an odd run of backslashes before it).
fn ends_escaped(chars: &[char]) -> bool {
    chars[..chars.len() - 1].iter().rev().take_while(|c| **c == '\\').count() % 2 == 1
}

struct Parser<'a> {
    chars: Vec<char>,
    at: usize,
    path: &'a str,
}

/// A set of characters: ranges, possibly negated.
struct Class {
    ranges: Vec<(char, char)>,
    negated: bool,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        let pattern: String = self.chars.iter().collect();
        format!("`pattern` {pattern:?} has {what}, which is not supported (at `{}`)", self.path)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        self.at += usize::from(found);
        found
    }

    fn alternation(&mut self, depth: usize) -> Res {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("groups nested deeper than {MAX_DEPTH} levels")));
        }
        let mut alts = vec![self.sequence(depth)?];
        while self.eat('|') {
            alts.push(self.sequence(depth)?);
        }
        Ok(if alts.len() == 1 { alts.pop().unwrap_or_default() } else { format!("( {} )", alts.join(" | ")) })
    }

    fn sequence(&mut self, depth: usize) -> Res {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom(depth)?;
            items.push(self.quantified(atom)?);
        }
        Ok(items.join(" "))
    }

    fn atom(&mut self, depth: usize) -> Res {
        let c = self.peek().unwrap_or_default();
        self.at += 1;
        match c {
            '(' => {
                if self.eat('?') {
                    if self.eat(':') {
                    } else if self.peek() == Some('<') && !matches!(self.chars.get(self.at + 1), Some('=' | '!')) {
                        // A named group: the name does not change what matches.
                        while self.peek().is_some_and(|c| c != '>') {
                            self.at += 1;
                        }
                        self.at += 1;
                    } else {
                        return Err(self.error("a lookaround or another `(?` group"));
                    }
                }
                let inner = self.alternation(depth + 1)?;
                if !self.eat(')') {
                    return Err(self.error("an unclosed `(`"));
                }
                Ok(format!("( {inner} )"))
            }
            '[' => {
                let class = self.class()?;
                Ok(class_expr(&class))
            }
            '.' => Ok(class_expr(&Class { ranges: vec![('\n', '\n')], negated: true })),
            '\\' => self.escape(),
            '^' | '$' => Err(self.error(&format!("`{c}` inside the pattern"))),
            '*' | '+' | '?' => Err(self.error(&format!("`{c}` with nothing to repeat"))),
            c => Ok(literal(c)),
        }
    }

    /// The class after `[`, up to its `]`.
    fn class(&mut self) -> Result<Class, String> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("an unclosed `[`"));
            };
            self.at += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = if c == '\\' {
                match self.class_escape()? {
                    Ok(c) => c,
                    Err(set) => {
                        ranges.extend(set);
                        continue;
                    }
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|c| *c != ']') {
                self.at += 1;
                let high = self.peek().unwrap_or_default();
                self.at += 1;
                let high = if high == '\\' {
                    self.class_escape()?.map_err(|_| self.error("a range ending in a class"))?
                } else {
                    high
                };
                if high < low {
                    return Err(self.error("a range whose end comes before its start"));
                }
                ranges.push((low, high));
            } else {
                ranges.push((low, low));
            }
        }
        Ok(Class { ranges, negated })
    }

    /// An escape inside a class: one character, or a set (`\d`, `\w`, `\s`).
    fn class_escape(&mut self) -> Result<Result<char, Vec<(char, char)>>, String> {
        let c = self.peek().ok_or_else(|| self.error("a trailing `\\`"))?;
        self.at += 1;
        Ok(match c {
            'd' => Err(DIGIT.to_vec()),
            'w' => Err(WORD.to_vec()),
            's' => Err(SPACE.to_vec()),
            'D' | 'W' | 'S' => return Err(self.error(&format!("`\\{c}` inside a class"))),
            other => Ok(self.escaped_char(other)?),
        })
    }

    /// An escape outside a class.
    fn escape(&mut self) -> Res {
        let c = self.peek().ok_or_else(|| self.error("a trailing `\\`"))?;
        self.at += 1;
        let set = |ranges: &[(char, char)], negated| class_expr(&Class { ranges: ranges.to_vec(), negated });
        Ok(match c {
            'd' => set(DIGIT, false),
            'w' => set(WORD, false),
            's' => set(SPACE, false),
            'D' => set(DIGIT, true),
            'W' => set(WORD, true),
            'S' => set(SPACE, true),
            other => literal(self.escaped_char(other)?),
        })
    }

    fn escaped_char(&mut self, c: char) -> Result<char, String> {
        Ok(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0c',
            'v' => '\x0b',
            '0' => '\0',
            'x' => self.hex(2)?,
            'u' => self.hex(4)?,
            c if c.is_ascii_alphanumeric() => return Err(self.error(&format!("`\\{c}`"))),
            c => c,
        })
    }

    fn hex(&mut self, n: usize) -> Result<char, String> {
        let digits: String = self.chars.iter().skip(self.at).take(n).collect();
        self.at += n;
        u32::from_str_radix(&digits, 16)
            .ok()
            .filter(|_| digits.len() == n)
            .and_then(char::from_u32)
            .ok_or_else(|| self.error("a malformed `\\x` or `\\u` escape"))
    }

    fn quantified(&mut self, atom: String) -> Res {
        let (min, max) = match self.peek() {
            // `{,n}`: a literal in some dialects, `{0,n}` in others (Python's): refused, not guessed.
            Some('{') if self.chars.get(self.at + 1) == Some(&',') => return Err(self.error("`{,n}` (write `{0,n}`)")),
            Some('{') => match self.counts() {
                Some(counts) => counts,
                // Not a quantifier (`{` followed by other text): a literal brace.
                None => return Ok(atom),
            },
            Some(c @ ('*' | '+' | '?')) => {
                self.at += 1;
                match c {
                    '*' => (0, None),
                    '+' => (1, None),
                    _ => (0, Some(1)),
                }
            }
            _ => return Ok(atom),
        };
        if self.eat('+') {
            return Err(self.error("a possessive quantifier"));
        }
        self.eat('?');
        if max.is_some_and(|max| max < min) {
            return Err(self.error("a repetition `{m,n}` with n < m"));
        }
        if min > MAX_REPEAT || max.is_some_and(|max| max > MAX_REPEAT) {
            return Err(self.error(&format!("a repetition count over {MAX_REPEAT}")));
        }
        let suffix = super::repeat(min, max);
        Ok(format!("( {atom} ){suffix}"))
    }

    /// `{n}`, `{n,}` or `{n,m}` at the cursor, consumed; `None` (nothing
    /// consumed) when the brace starts no quantifier.
    fn counts(&mut self) -> Option<(u64, Option<u64>)> {
        let rest: String = self.chars[self.at..].iter().collect();
        let close = rest.find('}')?;
        let inner = &rest[1..close];
        let number =
            |s: &str| (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten();
        let counts = match inner.split_once(',') {
            None => number(inner).map(|n| (n, Some(n))),
            Some((a, "")) => number(a).map(|a| (a, None)),
            Some((a, b)) => number(a).zip(number(b)).map(|(a, b)| (a, Some(b))),
        }?;
        self.at += rest[..=close].chars().count();
        Some(counts)
    }
}

const DIGIT: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
const SPACE: &[(char, char)] = &[(' ', ' '), ('\t', '\r')];

/// One character of a string's content, as JSON writes it.
fn literal(c: char) -> String {
    let json = serde_json::Value::from(c.to_string()).to_string();
    gbnf_literal(&json[1..json.len() - 1])
}

/// Characters a JSON string writes escaped (or that the grammars leave out):
/// they never appear raw in a class.
const UNSAFE: &[(char, char)] = &[('\0', '\x1f'), ('"', '"'), ('\\', '\\'), ('\x7f', '\x7f')];

/// A class as a grammar: the characters that appear raw in one bracket
/// expression, and each one JSON escapes as its own literal.
fn class_expr(class: &Class) -> String {
    let mut out = String::from("[");
    if class.negated {
        out.push('^');
    }
    for &(low, high) in class.ranges.iter().chain(if class.negated { UNSAFE } else { &[] }) {
        for (a, b) in safe_parts(low, high, class.negated) {
            out.push_str(&class_char(a));
            if b != a {
                out.push('-');
                out.push_str(&class_char(b));
            }
        }
    }
    out.push(']');
    if class.negated {
        return out;
    }
    // Escaped forms of the unsafe characters the class holds (control characters: only \t \n \r).
    let mut alts = if out == "[]" { Vec::new() } else { vec![out] };
    for c in ['\t', '\n', '\r', '"', '\\'] {
        if class.ranges.iter().any(|&(a, b)| a <= c && c <= b) {
            alts.push(literal(c));
        }
    }
    match alts.len() {
        0 => r#""""#.into(),
        1 => alts.pop().unwrap_or_default(),
        _ => format!("( {} )", alts.join(" | ")),
    }
}

/// `low..=high` without the unsafe characters (in a negated class: as given,
/// since they are excluded there anyway).
fn safe_parts(low: char, high: char, negated: bool) -> Vec<(char, char)> {
    if negated {
        return vec![(low, high)];
    }
    let mut parts = vec![(low, high)];
    for &(u_low, u_high) in UNSAFE {
        parts = parts
            .into_iter()
            .flat_map(|(a, b)| {
                let mut kept = Vec::new();
                if a < u_low {
                    kept.push((a, b.min(char::from_u32(u_low as u32 - 1).unwrap_or(a))));
                }
                if b > u_high {
                    kept.push((a.max(char::from_u32(u_high as u32 + 1).unwrap_or(b)), b));
                }
                kept.into_iter().filter(|(a, b)| a <= b).collect::<Vec<_>>()
            })
            .collect();
    }
    parts
}

/// A character inside a GBNF bracket expression.
fn class_char(c: char) -> String {
    match c {
        // The escapes llama.cpp's grammar parser knows; `^` has none, so it is written in hex.
        '\\' | ']' | '-' | '[' | '"' => format!("\\{c}"),
        c if (c as u32) < 0x20 || c == '\x7f' || c == '^' => format!("\\x{:02X}", c as u32),
        c => c.to_string(),
    }
}
