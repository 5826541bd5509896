//! `$ref`: local references (`#`, `#/$defs/Name`, `#/definitions/Name`, any
//! JSON pointer into the schema). Each target becomes one rule, made once and
//! named after it, so recursive schemas (a tree whose nodes hold nodes) give
//! recursive grammars of bounded size. A cycle of references that never
//! produces a character (`A` is `B`, `B` is `A`) is refused: llama.cpp cannot
//! use a left-recursive grammar.

use super::{Gen, Res};
use std::collections::{HashMap, HashSet};

impl<'a> Gen<'a> {
    /// The rule for the schema `pointer` refers to.
    pub(super) fn reference(&mut self, pointer: &str, path: &str, depth: usize) -> Res {
        if let Some(rule) = self.refs.get(pointer) {
            return Ok(rule.clone());
        }
        let Some(local) = pointer.strip_prefix('#') else {
            bail!(path, "`$ref` {pointer:?} is not local: only references into this schema (`#/...`) are supported");
        };
        let target = if local.is_empty() {
            Some(self.root)
        } else {
            let decoded =
                percent_decoded(local).ok_or_else(|| format!("`$ref` {pointer:?} is malformed (at `{path}`)"))?;
            self.root.pointer(&decoded)
        };
        let Some(target) = target else {
            bail!(path, "`$ref` {pointer:?} points at nothing in the schema");
        };
        let last = local.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or("root");
        let name = self.fresh(&format!("root-ref-{last}"));
        self.refs.insert(pointer.to_string(), name.clone());
        // Made under the name taken above, which recursive references already use.
        self.names.remove(&name);
        let made = self.visit(target, &name, pointer, depth + 1)?;
        debug_assert_eq!(made, name);
        Ok(name)
    }
}

/// `%XX` escapes decoded (JSON pointers in URI fragments may use them).
fn percent_decoded(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Refuses rules that can reach themselves through bodies made only of other
/// rules' names (`a ::= b | c`): a cycle there consumes nothing.
pub(super) fn check_no_empty_cycles(rules: &[(String, String)]) -> Res<()> {
    let is_name = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let edges: HashMap<&str, Vec<&str>> = rules
        .iter()
        .filter(|(_, body)| body.split(" | ").all(is_name))
        .map(|(name, body)| (name.as_str(), body.split(" | ").collect()))
        .collect();
    // Depth-first, iteratively: `open` holds the rules on the current path.
    let mut done: HashSet<&str> = HashSet::new();
    // In the rules' order, so that the rule an error names is always the same.
    for start in rules.iter().map(|(name, _)| name.as_str()).filter(|name| edges.contains_key(name)) {
        let mut stack = vec![(start, 0usize)];
        let mut open: HashSet<&str> = HashSet::from([start]);
        while let Some((rule, next)) = stack.pop() {
            let targets = edges.get(rule).map(Vec::as_slice).unwrap_or_default();
            if let Some(&target) = targets.get(next) {
                stack.push((rule, next + 1));
                if open.contains(target) {
                    return Err(format!("`$ref`s in a cycle that never produces a value (through rule `{target}`)"));
                }
                if !done.contains(target) && edges.contains_key(target) {
                    open.insert(target);
                    stack.push((target, 0));
                }
            } else {
                open.remove(rule);
                done.insert(rule);
            }
        }
    }
    Ok(())
}
