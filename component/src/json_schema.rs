//! JSON Schema -> llama.cpp GBNF grammar, used to constrain generation to JSON
//! that validates against a schema.
//!
//! The grammar admits a *subset* of the documents the schema allows (fixed
//! property order, canonical `enum`/`const` literals, bounded whitespace and
//! number lengths): every output validates, which is all constrained decoding
//! needs. Keywords whose meaning we cannot express are rejected rather than
//! ignored, so a grammar never admits output the schema would refuse.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

type Obj = Map<String, Value>;
type Res<T = String> = Result<T, String>;

/// Deepest schema (or `enum`/`const` literal) nesting accepted; keeps hostile
/// input from exhausting the stack, including on wasm's small one.
const MAX_DEPTH: usize = 64;
/// Largest `minItems`/`maxItems`/`minLength`/`maxLength`: llama.cpp expands
/// `{m,n}` into rules (and refuses counts over 2000), so keep them small.
const MAX_REPEAT: u64 = 1000;

/// Keywords that only annotate: they never change which documents validate.
#[rustfmt::skip]
const ANNOTATIONS: &[&str] = &[
    "title", "description", "$schema", "$id", "$comment", "default", "examples", "format",
    "deprecated", "readOnly", "writeOnly", "$defs", "definitions",
];
const COMBINERS: &[&str] = &["const", "enum", "anyOf", "oneOf"];
/// Type-specific keywords and the type each applies to.
#[rustfmt::skip]
const TYPED: &[(&str, &str)] = &[
    ("properties", "object"), ("required", "object"), ("additionalProperties", "object"),
    ("items", "array"), ("minItems", "array"), ("maxItems", "array"),
    ("minLength", "string"), ("maxLength", "string"),
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
    let mut g = Gen::default();
    g.visit(schema, "root", "#", 0)?;
    let mut out = String::new();
    for (name, body) in &g.rules {
        out.push_str(&format!("{name} ::= {body}\n"));
    }
    for (name, body, _) in PRIMITIVES {
        if g.prims.contains(name) {
            out.push_str(&format!("{name} ::= {body}\n"));
        }
    }
    Ok(out)
}

#[derive(Default)]
struct Gen {
    /// Generated rules in pre-order, so `root` comes first.
    rules: Vec<(String, String)>,
    names: BTreeSet<String>,
    prims: BTreeSet<&'static str>,
}

/// Returns an error naming where in the schema (a JSON pointer) it occurred.
macro_rules! bail {
    ($path:expr, $($fmt:tt)+) => {
        return Err(format!("{} (at `{}`)", format!($($fmt)+), $path))
    };
}

impl Gen {
    /// Marks a primitive (and what it references) as used; returns its name.
    fn prim(&mut self, name: &str) -> String {
        for (n, _, deps) in PRIMITIVES.iter().filter(|p| p.0 == name) {
            if self.prims.insert(n) {
                for d in deps.iter() {
                    self.prim(d);
                }
            }
        }
        name.to_string()
    }

    /// A unique rule name derived from `base`. Generated names all start with
    /// `root`, so they never clash with the primitives.
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
                (_, v) => bail!(path, "`{comb}` must be a non-empty array, got {v}"),
            };
        }

        let types = match types {
            Some(ts) => ts,
            None => {
                // Without `type`, infer it from type-specific keywords (what
                // the author almost always means); nothing to infer = any value.
                let mut kinds: Vec<&str> = Vec::new();
                for (kw, ty) in TYPED {
                    if obj.contains_key(*kw) && !kinds.contains(ty) {
                        kinds.push(ty);
                    }
                }
                match kinds.len() {
                    0 => return Ok(self.prim("value")),
                    1 => kinds,
                    _ => bail!(path, "cannot infer `type`: keywords for {kinds:?}"),
                }
            }
        };
        for (kw, ty) in TYPED {
            if obj.contains_key(*kw) && !types.contains(ty) {
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
            "string" => {
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
            "array" => self.array_expr(obj, rule, path, depth),
            "object" => self.object_expr(obj, rule, path, depth),
            _ => Ok(self.prim(ty)),
        }
    }

    fn array_expr(&mut self, obj: &Obj, rule: &str, path: &str, depth: usize) -> Res {
        let min = read_count(obj, "minItems", path)?.unwrap_or(0);
        let max = read_count(obj, "maxItems", path)?;
        check_range(min, max, "minItems", "maxItems", path)?;
        let ws = self.prim("ws");
        if max == Some(0) {
            return Ok(format!(r#""[" {ws} "]""#));
        }
        let item = match obj.get("items") {
            None => self.prim("value"),
            Some(Value::Array(_)) => bail!(path, "tuple-form `items` is not supported"),
            Some(s) => {
                let (name, at) = (format!("{rule}-items"), format!("{path}/items"));
                self.visit(s, &name, &at, depth + 1)?
            }
        };
        // First item, then `, item` for the remaining min-1 ..= max-1.
        let mut seq = item.clone();
        if max != Some(1) {
            let rest = repeat(min.saturating_sub(1), max.map(|m| m - 1));
            seq.push_str(&format!(r#" ( ws "," ws {item} ){rest}"#));
        }
        let opt = if min == 0 { "?" } else { "" };
        Ok(format!(r#""[" ws ( {seq} ws ){opt} "]""#))
    }

    fn object_expr(&mut self, obj: &Obj, rule: &str, path: &str, depth: usize) -> Res {
        let empty = Map::new();
        let props = match obj.get("properties") {
            None => &empty,
            Some(Value::Object(m)) => m,
            Some(v) => bail!(path, "`properties` must be an object, got {v}"),
        };
        // `true`/absent: we generate only the listed properties, which is still
        // valid; a schema for extra properties is beyond what we express.
        let closed = match obj.get("additionalProperties") {
            None | Some(Value::Bool(true)) => false,
            Some(Value::Bool(false)) => true,
            Some(v) => bail!(path, "`additionalProperties` must be a boolean, got {v}"),
        };
        let mut required: Vec<&str> = Vec::new();
        match obj.get("required") {
            None => {}
            Some(Value::Array(names)) => {
                for n in names {
                    let Some(n) = n.as_str() else {
                        bail!(path, "`required` entries must be strings, got {n}");
                    };
                    if !props.contains_key(n) {
                        bail!(path, "required property `{n}` is not in `properties`");
                    }
                    if !required.contains(&n) {
                        required.push(n); // a duplicate key would be invalid JSON
                    }
                }
            }
            Some(v) => bail!(path, "`required` must be an array, got {v}"),
        }
        let ws = self.prim("ws");
        if props.is_empty() {
            return Ok(if closed { format!(r#""{{" {ws} "}}""#) } else { self.prim("object") });
        }
        // Required members first, in `required` order, then the optional ones
        // in map order (serde_json's map here is sorted, so this is stable).
        let optional = props.keys().map(String::as_str).filter(|k| !required.contains(k));
        let order: Vec<&str> = required.iter().copied().chain(optional).collect();
        let mut members = Vec::new();
        for name in order {
            let at = format!("{path}/properties/{}", name.replace('~', "~0").replace('/', "~1"));
            let r = self.visit(&props[name], &format!("{rule}-{name}"), &at, depth + 1)?;
            let key = gbnf_literal(&Value::from(name).to_string());
            members.push(format!(r#"{key} ws ":" ws {r}"#));
        }
        let (req, opt) = members.split_at(required.len());
        if !req.is_empty() {
            let mut body = format!(r#""{{" ws {}"#, req.join(r#" ws "," ws "#));
            for m in opt {
                body.push_str(&format!(r#" ( ws "," ws {m} )?"#));
            }
            return Ok(body + r#" ws "}""#);
        }
        // All optional: the first member present carries no comma. Tails are
        // rules (`tail-i` = optional members i.. each with a leading comma) so
        // the grammar stays linear in the number of properties.
        let mut alts = Vec::new();
        let mut next: Option<String> = None;
        for i in (0..opt.len()).rev() {
            alts.push(match &next {
                Some(t) => format!("{} {t}", opt[i]),
                None => opt[i].clone(),
            });
            if i > 0 {
                let tail = self.fresh(&format!("{rule}-tail-{i}"));
                let rest = next.map(|t| format!(" {t}")).unwrap_or_default();
                let body = format!(r#"( ws "," ws {} )?{rest}"#, opt[i]);
                self.rules.push((tail.clone(), body));
                next = Some(tail);
            }
        }
        alts.reverse();
        Ok(format!(r#""{{" ws ( ( {} ) ws )? "}}""#, alts.join(" | ")))
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
fn gbnf_literal(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Converts, checks the output is well-formed GBNF (the subset we emit:
    /// unique `name ::= body` lines, balanced groups, valid literals, classes
    /// and repetitions, every referenced rule defined), and returns it.
    fn gbnf(schema: Value) -> String {
        let out = schema_to_gbnf(&schema).unwrap();
        let (mut defined, mut used) = (BTreeSet::new(), Vec::new());
        let is_name = |c: char| c.is_ascii_alphanumeric() || c == '-';
        for line in out.lines() {
            let (name, body) = line.split_once(" ::= ").expect("rule line");
            assert!(!name.is_empty() && name.chars().all(is_name), "{line}");
            assert!(defined.insert(name.to_string()), "duplicate {line}");
            let (b, mut i, mut depth, mut atom) = (body.as_bytes(), 0, 0i32, false);
            while i < b.len() {
                let c = b[i] as char;
                match c {
                    ' ' => i += 1,
                    '"' | '[' => {
                        let close = if c == '"' { b'"' } else { b']' };
                        i += 1;
                        while b[i] != close {
                            let escape = b[i] == b'\\';
                            assert!(!escape || b"\"\\ntr]x".contains(&b[i + 1]), "{line}");
                            i += if !escape {
                                1
                            } else if b[i + 1] == b'x' {
                                4
                            } else {
                                2
                            };
                        }
                        (atom, i) = (true, i + 1);
                    }
                    '(' => (depth, atom, i) = (depth + 1, false, i + 1),
                    ')' => (depth, atom, i) = (depth - 1, true, i + 1),
                    '|' => (atom, i) = (false, i + 1),
                    '*' | '+' | '?' | '{' => {
                        assert!(atom, "repetition without operand in {line}");
                        if c == '{' {
                            let end = i + body[i..].find('}').unwrap();
                            let ok = |p: &str| p.is_empty() || p.parse::<u32>().is_ok();
                            assert!(body[i + 1..end].split(',').all(ok), "{line}");
                            i = end;
                        }
                        (atom, i) = (false, i + 1);
                    }
                    _ => {
                        let end = body[i..].find(|c| !is_name(c)).map_or(body.len(), |e| i + e);
                        assert!(end > i, "unexpected {c:?} in {line}");
                        used.push(body[i..end].to_string());
                        (atom, i) = (true, end);
                    }
                }
                assert!(depth >= 0, "unbalanced ) in {line}");
            }
            assert_eq!(depth, 0, "unbalanced ( in {line}");
        }
        assert!(out.starts_with("root ::= "));
        for u in used {
            assert!(defined.contains(&u), "undefined rule {u} in\n{out}");
        }
        out
    }

    /// The generated (non-primitive) rules only.
    fn rules(schema: Value) -> String {
        let out = gbnf(schema);
        out.lines().filter(|l| l.starts_with("root")).map(|l| format!("{l}\n")).collect()
    }

    fn err(schema: Value) -> String {
        schema_to_gbnf(&schema).unwrap_err()
    }

    #[test]
    fn small_object() {
        let schema = json!({
            "type": "object", "title": "Person", "required": ["name"],
            "properties": {"name": {"type": "string", "maxLength": 8}, "age": {"type": "integer"}}
        });
        assert_eq!(
            rules(schema.clone()),
            r#"root ::= "{" ws "\"name\"" ws ":" ws root-name ( ws "," ws "\"age\"" ws ":" ws root-age )? ws "}"
root-name ::= "\"" char{0,8} "\""
root-age ::= integer
"#
        );
        // Only the primitives that are referenced are emitted.
        let g = gbnf(schema);
        let prims: Vec<_> = g.lines().skip(3).map(|l| l.split(' ').next().unwrap()).collect();
        assert_eq!(prims, ["char", "integer", "ws"]);
    }

    #[test]
    fn optional_only_object_and_property_names() {
        // Sorted map order; whichever member comes first carries no comma.
        assert_eq!(
            rules(json!({"properties": {"a b": {}, "c\"d": true, "e": {"const": 1}}})),
            r#"root ::= "{" ws ( ( "\"a b\"" ws ":" ws root-a-b root-tail-1 | "\"c\\\"d\"" ws ":" ws root-c-d root-tail-2 | "\"e\"" ws ":" ws root-e ) ws )? "}"
root-a-b ::= value
root-c-d ::= value
root-e ::= "1"
root-tail-2 ::= ( ws "," ws "\"e\"" ws ":" ws root-e )?
root-tail-1 ::= ( ws "," ws "\"c\\\"d\"" ws ":" ws root-c-d )? root-tail-2
"#
        );
        assert_eq!(rules(json!({"type": "object", "properties": {}})), "root ::= object\n");
        let closed = json!({"type": "object", "additionalProperties": false});
        assert_eq!(rules(closed), "root ::= \"{\" ws \"}\"\n");
    }

    #[test]
    fn nested_arrays_and_objects() {
        let schema = json!({
            "type": "array", "minItems": 1, "maxItems": 3,
            "items": {"type": "object", "required": ["tags"], "properties": {
                "tags": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}
            }}
        });
        assert_eq!(
            rules(schema),
            r#"root ::= "[" ws ( root-items ( ws "," ws root-items ){0,2} ws ) "]"
root-items ::= "{" ws "\"tags\"" ws ":" ws root-items-tags ws "}"
root-items-tags ::= "[" ws ( root-items-tags-items ( ws "," ws root-items-tags-items )* ws )? "]"
root-items-tags-items ::= "[" ws ( root-items-tags-items-items ( ws "," ws root-items-tags-items-items )* ws )? "]"
root-items-tags-items-items ::= number
"#
        );
        let bounds = [
            (json!(0), json!(0), r#""[" ws "]""#),
            (json!(0), json!(1), r#""[" ws ( value ws )? "]""#),
            (json!(3), Value::Null, r#""[" ws ( value ( ws "," ws value ){2,} ws ) "]""#),
        ];
        for (min, max, want) in bounds {
            let mut schema = json!({"type": "array", "minItems": min, "maxItems": max});
            schema.as_object_mut().unwrap().retain(|_, v| !v.is_null());
            assert_eq!(rules(schema), format!("root ::= {want}\n"));
        }
    }

    #[test]
    fn enum_and_const_literals_are_escaped() {
        let schema = json!({"enum": ["say \"hi\"", "a\\b", "line\nbreak", 1.5, null, [1, {"k": "v"}]]});
        assert_eq!(
            rules(schema),
            r#"root ::= "\"say \\\"hi\\\"\"" | "\"a\\\\b\"" | "\"line\\nbreak\"" | "1.5" | "null" | "[1,{\"k\":\"v\"}]"
"#
        );
        assert_eq!(rules(json!({"const": "x"})), "root ::= \"\\\"x\\\"\"\n");
        // `type` filters the values; none left is an error.
        let ints = json!({"type": "integer", "enum": [1, "1", 2.0]});
        assert_eq!(rules(ints), "root ::= \"1\" | \"2.0\"\n");
        assert!(err(json!({"type": "string", "enum": [1]})).contains("no `enum` value matches"));
        assert!(err(json!({"type": "string", "const": 1})).contains("does not match `type`"));
    }

    #[test]
    fn type_arrays_and_any_of_alternate() {
        assert_eq!(rules(json!({"type": ["string", "null"]})), "root ::= string | null\n");
        let schema = json!({"type": ["object", "null"], "required": ["x"], "properties": {"x": {}}});
        assert_eq!(
            rules(schema),
            "root ::= \"{\" ws \"\\\"x\\\"\" ws \":\" ws root-x ws \"}\" | null\nroot-x ::= value\n"
        );
        let schema = json!({"anyOf": [{"type": "integer"}, {"oneOf": [{"type": "string"}, true]}]});
        assert_eq!(
            rules(schema),
            "root ::= root-0 | root-1\nroot-0 ::= integer\nroot-1 ::= root-1-0 | root-1-1\n\
             root-1-0 ::= string\nroot-1-1 ::= value\n"
        );
    }

    #[test]
    fn any_value() {
        for s in [json!({}), json!(true), json!({"description": "any", "$schema": "x"})] {
            let g = gbnf(s);
            let names: Vec<_> = g.lines().map(|l| l.split(' ').next().unwrap()).collect();
            let all = "root value object array string char number boolean null ws";
            assert_eq!(names, all.split(' ').collect::<Vec<_>>());
        }
    }

    #[test]
    fn rejected_keywords() {
        let rejected = "$ref allOf pattern not minimum patternProperties prefixItems uniqueItems";
        for kw in rejected.split(' ') {
            let e = err(json!({"type": "string", kw: "x"}));
            assert_eq!(e, format!("unsupported JSON schema keyword `{kw}` (at `#`)"));
        }
        let e = err(json!({"properties": {"a/b": {"items": {"$ref": "#/x"}}}}));
        assert_eq!(e, "unsupported JSON schema keyword `$ref` (at `#/properties/a~1b/items`)");
    }

    #[test]
    #[rustfmt::skip]
    fn invalid_schemas() {
        let cases = [
            (json!({"type": 3}), "`type` must be a string or array of strings, got 3"),
            (json!({"type": "float"}), "unknown type `float`"),
            (json!(3), "schema must be an object or boolean, got 3"),
            (json!(false), "schema `false` matches no value"),
            (json!({"properties": {}, "required": ["a"]}), "required property `a` is not in `properties`"),
            (json!({"type": "array", "maxItems": 5000}), "`maxItems` is 5000; at most 1000 is supported"),
            (json!({"type": "string", "minLength": 1001}), "at most 1000"),
            (json!({"type": "string", "minLength": 2, "maxLength": 1}), "`minLength` (2) is greater than `maxLength` (1)"),
            (json!({"type": "array", "minItems": -1}), "`minItems` must be a non-negative integer, got -1"),
            (json!({"type": "array", "items": [{}]}), "tuple-form `items`"),
            (json!({"type": "object", "additionalProperties": {}}), "`additionalProperties` must be a boolean"),
            (json!({"type": "string", "properties": {}}), "`properties` does not apply to type string"),
            (json!({"items": {}, "maxLength": 2}), "cannot infer `type`"),
            (json!({"type": "object", "anyOf": [{}]}), "`anyOf` cannot be combined with `type`"),
            (json!({"enum": []}), "`enum` must be a non-empty array"),
        ];
        for (schema, want) in cases {
            let e = err(schema);
            assert!(e.contains(want), "{e:?} lacks {want:?}");
        }
    }

    #[test]
    fn depth_is_bounded() {
        let nest = |n: usize| (0..n).fold(json!({}), |s, _| json!({"type": "array", "items": s}));
        gbnf(nest(MAX_DEPTH));
        assert!(err(nest(MAX_DEPTH + 1)).contains("nested deeper than 64 levels"));
        let deep_literal = (0..200).fold(json!(0), |v, _| json!([v]));
        assert!(err(json!({"const": deep_literal})).contains("nested deeper than 64 levels"));
    }

    #[test]
    fn string_lengths() {
        let cases = [
            (json!(2), Value::Null, r#""\"" char{2,} "\"""#),
            (json!(3), json!(3), r#""\"" char{3} "\"""#),
            (json!(0), json!(0), r#""\"\"""#),
        ];
        for (min, max, want) in cases {
            let mut schema = json!({"type": "string", "minLength": min, "maxLength": max});
            schema.as_object_mut().unwrap().retain(|_, v| !v.is_null());
            assert_eq!(rules(schema), format!("root ::= {want}\n"));
        }
    }
}
