//! JSON Schema -> llama.cpp GBNF grammar, used to constrain generation to JSON
//! that validates against a schema.
//!
//! The grammar admits a *subset* of the documents the schema allows (fixed
//! property order, canonical `enum`/`const` literals, bounded whitespace and
//! number lengths, no exponents under numeric bounds, only listed properties
//! beside `additionalProperties`): every output validates, which is all
//! constrained decoding needs. Keywords whose meaning we cannot express are
//! rejected with their path rather than ignored, so a grammar never admits
//! output the schema would refuse.

use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

type Obj = Map<String, Value>;
type Res<T = String> = Result<T, String>;

/// Returns an error naming where in the schema (a JSON pointer) it occurred.
macro_rules! bail {
    ($path:expr, $($fmt:tt)+) => {
        return Err(format!("{} (at `{}`)", format!($($fmt)+), $path))
    };
}

mod arrays;
mod formats;
mod numbers;
mod objects;
mod pattern;
mod refs;
#[cfg(test)]
mod tests;

/// Deepest schema (or `enum`/`const` literal) nesting accepted; keeps hostile
/// input from exhausting the stack, including on wasm's small one.
const MAX_DEPTH: usize = 64;
/// Largest `minItems`/`maxItems`/`minLength`/`maxLength` and pattern
/// repetition: llama.cpp expands `{m,n}` into rules (and refuses counts over
/// 2000), so keep them small.
const MAX_REPEAT: u64 = 1000;

/// Keywords that only annotate: they never change which documents validate.
#[rustfmt::skip]
const ANNOTATIONS: &[&str] = &[
    "title", "description", "$schema", "$id", "$comment", "default", "examples",
    "deprecated", "readOnly", "writeOnly", "$defs", "definitions",
];
/// Keywords that stand for the whole schema; `type` may filter `enum`/`const`.
const COMBINERS: &[&str] = &["$ref", "allOf", "const", "enum", "anyOf", "oneOf"];
/// Type-specific keywords and the types they apply to (the first is the one
/// inferred when `type` is absent).
#[rustfmt::skip]
const TYPED: &[(&str, &[&str])] = &[
    ("properties", &["object"]), ("required", &["object"]), ("additionalProperties", &["object"]),
    ("minProperties", &["object"]), ("maxProperties", &["object"]), ("propertyNames", &["object"]),
    ("items", &["array"]), ("prefixItems", &["array"]), ("additionalItems", &["array"]),
    ("minItems", &["array"]), ("maxItems", &["array"]),
    ("minLength", &["string"]), ("maxLength", &["string"]), ("pattern", &["string"]), ("format", &["string", "integer", "number"]),
    ("minimum", &["number", "integer"]), ("maximum", &["number", "integer"]),
    ("exclusiveMinimum", &["number", "integer"]), ("exclusiveMaximum", &["number", "integer"]),
];
#[rustfmt::skip]
const TYPES: &[&str] = &["object", "array", "string", "number", "integer", "boolean", "null"];

/// Shared rules (name, body, rules it references), emitted only when used, in
/// this order. Values carry no surrounding whitespace; containers add `ws`.
#[rustfmt::skip]
const PRIMITIVES: &[(&str, &str, &[&str])] = &[
    ("value", "object | array | string | number | boolean | null",
        &["object", "array", "string", "number", "boolean", "null"]),
    ("object", r#""{" ws ( string ws ":" ws value ( ws "," ws string ws ":" ws value )* ws )? "}""#,
        &["ws", "string", "value"]),
    ("array", r#""[" ws ( value ( ws "," ws value )* ws )? "]""#, &["ws", "value"]),
    ("string", r#""\"" char* "\"""#, &["char"]),
    ("char", r#"[^"\\\x7F\x00-\x1F] | "\\" ( ["\\/bfnrt] | "u" [0-9a-fA-F]{4} )"#, &[]),
    // Digit counts are bounded so a model cannot ramble inside a number.
    ("number", r#""-"? ( "0" | [1-9] [0-9]{0,15} ) ( "." [0-9]{1,16} )? ( [eE] [-+]? [0-9]{1,3} )?"#,
        &[]),
    ("integer", r#""-"? ( "0" | [1-9] [0-9]{0,15} )"#, &[]),
    ("boolean", r#""true" | "false""#, &[]),
    ("null", r#""null""#, &[]),
    // Bounded, for the same reason: unbounded whitespace lets a model stall.
    ("ws", r#"| " " | "\n" [ \t]{0,20}"#, &[]),
];

/// Converts a JSON Schema to a GBNF grammar whose root rule is `root`.
pub fn schema_to_gbnf(schema: &Value) -> Result<String, String> {
    schemas_to_gbnf_rules(&[("root", schema)])
}

/// The rules of several schemas in one grammar: schema `i`'s rule is named
/// `schemas[i].0` (which must start with `root`), the rules they share are
/// emitted once, and no other rule is named `root`, so that a caller can
/// write its own `root` around them.
pub fn schemas_to_gbnf_rules(schemas: &[(&str, &Value)]) -> Result<String, String> {
    let (mut rules, mut names, mut prims) = (Vec::new(), BTreeSet::new(), BTreeSet::new());
    names.insert("root".to_string());
    for (name, schema) in schemas {
        if *name == "root" {
            names.remove("root");
        }
        let mut g = Gen { root: schema, rules: Vec::new(), names, prims, refs: HashMap::new() };
        g.visit(schema, name, "#", 0)?;
        refs::check_no_empty_cycles(&g.rules)?;
        rules.append(&mut g.rules);
        (names, prims) = (g.names, g.prims);
    }
    let mut out = String::new();
    for (name, body) in &rules {
        out.push_str(&format!("{name} ::= {body}\n"));
    }
    for (name, body, _) in PRIMITIVES.iter().chain(formats::RULES) {
        if prims.contains(name) {
            out.push_str(&format!("{name} ::= {body}\n"));
        }
    }
    Ok(out)
}

struct Gen<'a> {
    /// The whole schema, which `$ref`s point into.
    root: &'a Value,
    /// Generated rules in pre-order, so `root` comes first.
    rules: Vec<(String, String)>,
    names: BTreeSet<String>,
    prims: BTreeSet<&'static str>,
    /// The rule made for each `$ref` target, by JSON pointer.
    refs: HashMap<String, String>,
}

impl<'a> Gen<'a> {
    /// Marks a shared rule (and what it references) as used; returns its name.
    fn prim(&mut self, name: &str) -> String {
        for (n, _, deps) in PRIMITIVES.iter().chain(formats::RULES).filter(|p| p.0 == name) {
            if self.prims.insert(n) {
                for d in deps.iter() {
                    self.prim(d);
                }
            }
        }
        name.to_string()
    }

    /// A unique rule name derived from `base`. Generated names all start with
    /// `root`, so they never clash with the shared rules.
    fn fresh(&mut self, base: &str) -> String {
        let base: String = base.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let mut name = base.clone();
        let mut i = 1;
        while self.names.contains(&name) {
            name = format!("{base}-{i}");
            i += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// Emits a rule for `schema` and returns its name. `path` is a JSON pointer
    /// into the schema, used in error messages.
    fn visit(&mut self, schema: &Value, name: &str, path: &str, depth: usize) -> Res {
        if depth > MAX_DEPTH {
            bail!(path, "schema is nested deeper than {MAX_DEPTH} levels");
        }
        let rule = self.fresh(name);
        let slot = self.rules.len();
        self.rules.push((rule.clone(), String::new()));
        let body = self.body(schema, &rule, path, depth)?;
        self.rules[slot].1 = body;
        Ok(rule)
    }

    fn body(&mut self, schema: &Value, rule: &str, path: &str, depth: usize) -> Res {
        let obj = match schema {
            Value::Bool(true) => return Ok(self.prim("value")),
            Value::Bool(false) => bail!(path, "schema `false` matches no value"),
            Value::Object(o) => o,
            other => bail!(path, "schema must be an object or boolean, got {other}"),
        };
        let known = |k: &str| {
            ANNOTATIONS.contains(&k) || COMBINERS.contains(&k) || k == "type" || TYPED.iter().any(|t| t.0 == k)
        };
        if let Some(k) = obj.keys().find(|k| !known(k)) {
            bail!(path, "unsupported JSON schema keyword `{k}`");
        }
        let types = parse_types(obj, path)?;
        let active: Vec<&str> = obj.keys().map(String::as_str).filter(|k| !ANNOTATIONS.contains(k)).collect();

        if let Some(comb) = COMBINERS.iter().copied().find(|c| obj.contains_key(*c)) {
            // Siblings of a combiner would intersect with it, which we cannot
            // express; only `type` (filtering enum/const values) is allowed.
            let sibling_ok = |k: &str| k == comb || (k == "type" && (comb == "enum" || comb == "const"));
            if let Some(other) = active.iter().find(|k| !sibling_ok(k)) {
                bail!(path, "`{comb}` cannot be combined with `{other}`");
            }
            let fits = |v: &Value| types.as_ref().is_none_or(|ts| ts.iter().any(|t| type_matches(t, v)));
            return match (comb, &obj[comb]) {
                ("$ref", Value::String(pointer)) => self.reference(pointer, path, depth),
                ("allOf", Value::Array(subs)) if !subs.is_empty() => objects::all_of(self, subs, rule, path, depth),
                ("const", v) => {
                    check_literal_depth(v, MAX_DEPTH - depth, path)?;
                    if !fits(v) {
                        bail!(path, "`const` value does not match `type`");
                    }
                    Ok(gbnf_literal(&v.to_string()))
                }
                ("enum", Value::Array(vals)) if !vals.is_empty() => {
                    let mut alts: Vec<String> = Vec::new();
                    for v in vals {
                        check_literal_depth(v, MAX_DEPTH - depth, path)?;
                        let lit = gbnf_literal(&v.to_string());
                        if fits(v) && !alts.contains(&lit) {
                            alts.push(lit);
                        }
                    }
                    if alts.is_empty() {
                        bail!(path, "no `enum` value matches `type`");
                    }
                    Ok(alts.join(" | "))
                }
                ("anyOf" | "oneOf", Value::Array(subs)) if !subs.is_empty() => {
                    // `oneOf` is approximated by `anyOf`: alternatives are
                    // generated independently, which is what callers expect.
                    let mut alts = Vec::new();
                    for (i, sub) in subs.iter().enumerate() {
                        let (name, at) = (format!("{rule}-{i}"), format!("{path}/{comb}/{i}"));
                        alts.push(self.visit(sub, &name, &at, depth + 1)?);
                    }
                    Ok(alts.join(" | "))
                }
                ("$ref", v) => bail!(path, "`$ref` must be a string, got {v}"),
                (_, v) => bail!(path, "`{comb}` must be a non-empty array, got {v}"),
            };
        }

        let types = match types {
            Some(ts) => ts,
            None => {
                // Without `type`, infer it from type-specific keywords (what
                // the author almost always means); nothing to infer = any value.
                let mut kinds: Vec<&str> = Vec::new();
                for (kw, tys) in TYPED {
                    if obj.contains_key(*kw) && !kinds.iter().any(|k| tys.contains(k)) {
                        kinds.push(tys[0]);
                    }
                }
                match kinds.len() {
                    0 => return Ok(self.prim("value")),
                    1 => kinds,
                    _ => bail!(path, "cannot infer `type`: keywords for {kinds:?}"),
                }
            }
        };
        for (kw, tys) in TYPED {
            if obj.contains_key(*kw) && !types.iter().any(|t| tys.contains(t)) {
                bail!(path, "`{kw}` does not apply to type {}", types.join(" | "));
            }
        }
        let mut alts = Vec::new();
        for ty in &types {
            alts.push(self.type_expr(ty, obj, rule, path, depth)?);
        }
        Ok(alts.join(" | "))
    }

    /// The expression for one `type`, honouring that type's keywords.
    fn type_expr(&mut self, ty: &str, obj: &Obj, rule: &str, path: &str, depth: usize) -> Res {
        match ty {
            "string" => self.string_expr(obj, path),
            "integer" if numbers::is_bounded(obj) => numbers::integer(obj, path),
            "number" if numbers::is_bounded(obj) => numbers::number(obj, path),
            "array" => arrays::array_expr(self, obj, rule, path, depth),
            "object" => objects::object_expr(self, obj, rule, path, depth),
            _ => Ok(self.prim(ty)),
        }
    }

    fn string_expr(&mut self, obj: &Obj, path: &str) -> Res {
        let shaped: Vec<&str> = ["format", "pattern"].into_iter().filter(|k| obj.contains_key(*k)).collect();
        if !shaped.is_empty() {
            let lengths = ["minLength", "maxLength"].into_iter().find(|k| obj.contains_key(*k));
            if let Some(other) = lengths {
                bail!(path, "`{}` cannot be combined with `{other}`", shaped[0]);
            }
            if let (Some(Value::String(format)), Some(Value::String(regex))) = (obj.get("format"), obj.get("pattern")) {
                if !formats::is_generator_pattern(format, regex) {
                    bail!(
                        path,
                        "`format` `{format}` cannot be combined with this `pattern` (only with the one Zod emits)"
                    );
                }
            }
            return match (obj.get("format"), obj.get("pattern")) {
                (Some(Value::String(format)), _) => match formats::rule(format) {
                    Some(rule) => Ok(self.prim(rule)),
                    None => bail!(path, "unsupported `format` `{format}` (date, time, date-time, uuid and email are)"),
                },
                (Some(v), _) => bail!(path, "`format` must be a string, got {v}"),
                (None, Some(Value::String(regex))) => Ok(format!(r#""\"" {} "\"""#, pattern::content(regex, path)?)),
                (None, Some(v)) => bail!(path, "`pattern` must be a string, got {v}"),
                (None, None) => unreachable!("one of them is present"),
            };
        }
        let min = read_count(obj, "minLength", path)?.unwrap_or(0);
        let max = read_count(obj, "maxLength", path)?;
        if min == 0 && max.is_none() {
            return Ok(self.prim("string"));
        }
        check_range(min, max, "minLength", "maxLength", path)?;
        if max == Some(0) {
            return Ok(r#""\"\"""#.into());
        }
        let c = self.prim("char");
        Ok(format!(r#""\"" {c}{} "\"""#, repeat(min, max)))
    }
}
/// `type` as a list of known type names, or `None` when absent.
fn parse_types(obj: &Obj, path: &str) -> Res<Option<Vec<&'static str>>> {
    let names: Vec<&Value> = match obj.get("type") {
        None => return Ok(None),
        Some(v @ Value::String(_)) => vec![v],
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(Value::is_string) => a.iter().collect(),
        Some(v) => bail!(path, "`type` must be a string or array of strings, got {v}"),
    };
    let mut types = Vec::new();
    for n in names {
        let n = n.as_str().unwrap_or_default();
        let Some(t) = TYPES.iter().copied().find(|t| *t == n) else {
            bail!(path, "unknown type `{n}`");
        };
        if !types.contains(&t) {
            types.push(t);
        }
    }
    Ok(Some(types))
}

fn type_matches(ty: &str, v: &Value) -> bool {
    match ty {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => v.is_boolean(),
        _ => v.is_null(),
    }
}

fn read_count(obj: &Obj, kw: &str, path: &str) -> Res<Option<u64>> {
    let Some(v) = obj.get(kw) else {
        return Ok(None);
    };
    match v.as_u64() {
        None => bail!(path, "`{kw}` must be a non-negative integer, got {v}"),
        Some(n) if n > MAX_REPEAT => {
            bail!(path, "`{kw}` is {n}; at most {MAX_REPEAT} is supported")
        }
        Some(n) => Ok(Some(n)),
    }
}

fn check_range(min: u64, max: Option<u64>, lo: &str, hi: &str, path: &str) -> Res<()> {
    match max {
        Some(max) if max < min => bail!(path, "`{lo}` ({min}) is greater than `{hi}` ({max})"),
        _ => Ok(()),
    }
}

/// GBNF repetition suffix for `min..=max` occurrences (`max: None` = unbounded).
fn repeat(min: u64, max: Option<u64>) -> String {
    match (min, max) {
        (0, None) => "*".into(),
        (1, None) => "+".into(),
        (m, None) => format!("{{{m},}}"),
        (0, Some(1)) => "?".into(),
        (m, Some(n)) if m == n => format!("{{{m}}}"),
        (m, Some(n)) => format!("{{{m},{n}}}"),
    }
}

/// Rejects literals nested deeper than `budget` (serialising them recurses).
fn check_literal_depth(v: &Value, budget: usize, path: &str) -> Res<()> {
    let mut children: Box<dyn Iterator<Item = &Value>> = match v {
        Value::Array(a) => Box::new(a.iter()),
        Value::Object(o) => Box::new(o.values()),
        _ => return Ok(()),
    };
    if budget == 0 {
        bail!(path, "schema is nested deeper than {MAX_DEPTH} levels");
    }
    children.try_for_each(|c| check_literal_depth(c, budget - 1, path))
}

/// Quotes `s` as a GBNF string literal.
pub(crate) fn gbnf_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
