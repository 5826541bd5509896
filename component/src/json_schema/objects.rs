//! Objects: `properties` in a fixed order (required ones first), maps
//! (`additionalProperties` as a schema, with no `properties`), property counts
//! where they follow from the rest, and `allOf` of object schemas merged into
//! one. Beside listed `properties`, extra properties are never generated.

use super::{check_range, gbnf_literal, read_count, repeat, Gen, Obj, Res, ANNOTATIONS};
use serde_json::{Map, Value};

pub(super) fn object_expr(g: &mut Gen<'_>, obj: &Obj, rule: &str, path: &str, depth: usize) -> Res {
    let empty = empty_map();
    let props = match obj.get("properties") {
        None => empty,
        Some(Value::Object(m)) => m,
        Some(v) => bail!(path, "`properties` must be an object, got {v}"),
    };
    let additional = match obj.get("additionalProperties") {
        None | Some(Value::Bool(true)) => Additional::Any,
        Some(Value::Bool(false)) => Additional::None,
        Some(schema @ Value::Object(_)) => Additional::Schema(schema),
        Some(v) => bail!(path, "`additionalProperties` must be a boolean or a schema, got {v}"),
    };
    if let Some(names) = obj.get("propertyNames") {
        // Every property name is a string: only a schema that says no more is supported.
        let says_string = |v: &Value| {
            v.as_object().is_some_and(|o| {
                o.iter().all(|(k, v)| ANNOTATIONS.contains(&k.as_str()) || (k == "type" && v == "string"))
            })
        };
        if !(names == &Value::Bool(true) || says_string(names)) {
            bail!(path, "`propertyNames` other than {{\"type\": \"string\"}} is not supported");
        }
    }
    let required = required(obj, props, path)?;
    let min = read_count(obj, "minProperties", path)?;
    let max = read_count(obj, "maxProperties", path)?;
    check_range(min.unwrap_or(0), max, "minProperties", "maxProperties", path)?;
    let ws = g.prim("ws");
    if props.is_empty() {
        return match additional {
            Additional::None if min.unwrap_or(0) > 0 => {
                bail!(path, "`minProperties` needs properties, and `additionalProperties` is false")
            }
            Additional::None => Ok(format!(r#""{{" {ws} "}}""#)),
            Additional::Any if min.is_none() && max.is_none() => Ok(g.prim("object")),
            Additional::Any => {
                let value = g.prim("value");
                Ok(map(g, value, min, max))
            }
            Additional::Schema(schema) => {
                let value =
                    g.visit(schema, &format!("{rule}-value"), &format!("{path}/additionalProperties"), depth + 1)?;
                Ok(map(g, value, min, max))
            }
        };
    }
    // Listed properties only: the count lies between the required ones and all of them.
    if let Some(min) = min.filter(|&m| m > required.len() as u64) {
        bail!(path, "`minProperties` ({min}) above the {} required properties is not supported", required.len());
    }
    if let Some(max) = max.filter(|&m| m < props.len() as u64) {
        bail!(path, "`maxProperties` ({max}) below the {} listed properties is not supported", props.len());
    }
    // Required members first, in `required` order, then the optional ones
    // in map order (serde_json's map here is sorted, so this is stable).
    let optional = props.keys().map(String::as_str).filter(|k| !required.contains(k));
    let order: Vec<&str> = required.iter().copied().chain(optional).collect();
    let mut members = Vec::new();
    for name in order {
        let at = format!("{path}/properties/{}", name.replace('~', "~0").replace('/', "~1"));
        let r = g.visit(&props[name], &format!("{rule}-{name}"), &at, depth + 1)?;
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
            let tail = g.fresh(&format!("{rule}-tail-{i}"));
            let rest = next.map(|t| format!(" {t}")).unwrap_or_default();
            let body = format!(r#"( ws "," ws {} )?{rest}"#, opt[i]);
            g.rules.push((tail.clone(), body));
            next = Some(tail);
        }
    }
    alts.reverse();
    Ok(format!(r#""{{" ws ( ( {} ) ws )? "}}""#, alts.join(" | ")))
}

enum Additional<'a> {
    Any,
    None,
    Schema(&'a Value),
}

fn empty_map() -> &'static Obj {
    static EMPTY: std::sync::OnceLock<Obj> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

/// `required`, checked against `properties`, without duplicates.
fn required<'o>(obj: &'o Obj, props: &Obj, path: &str) -> Res<Vec<&'o str>> {
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
    Ok(required)
}

/// A map: `"key": value` pairs, as many as `min..=max`.
fn map(g: &mut Gen<'_>, value: String, min: Option<u64>, max: Option<u64>) -> String {
    let (ws, string) = (g.prim("ws"), g.prim("string"));
    let (min, max) = (min.unwrap_or(0), max);
    if max == Some(0) {
        return format!(r#""{{" {ws} "}}""#);
    }
    let pair = format!(r#"{string} ws ":" ws {value}"#);
    let mut seq = pair.clone();
    if max != Some(1) {
        seq.push_str(&format!(r#" ( ws "," ws {pair} ){}"#, repeat(min.saturating_sub(1), max.map(|m| m - 1))));
    }
    let opt = if min == 0 { "?" } else { "" };
    format!(r#""{{" ws ( {seq} ws ){opt} "}}""#)
}

/// `allOf`: one schema is that schema; several must all be objects (after
/// following `$ref`s), merged into one: their properties (the same property
/// twice must have the same schema), their `required`, and closed if any is.
pub(super) fn all_of(g: &mut Gen<'_>, subs: &[Value], rule: &str, path: &str, depth: usize) -> Res {
    if let [only] = subs {
        let only = g.visit(only, &format!("{rule}-0"), &format!("{path}/allOf/0"), depth + 1)?;
        return Ok(only);
    }
    let mut merged = Map::new();
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for (i, sub) in subs.iter().enumerate() {
        let at = format!("{path}/allOf/{i}");
        let sub = resolve(g.root, sub, &at)?;
        let Some(sub) = sub.as_object() else {
            bail!(at, "`allOf` of schemas other than objects is not supported");
        };
        for (key, value) in sub {
            match key.as_str() {
                "properties" => {
                    let Some(props) = value.as_object() else {
                        bail!(at, "`properties` must be an object, got {value}");
                    };
                    for (name, schema) in props {
                        if properties.get(name).is_some_and(|s| s != schema) {
                            bail!(at, "property `{name}` has two different schemas in `allOf`");
                        }
                        properties.insert(name.clone(), schema.clone());
                    }
                }
                "required" => required.extend(value.as_array().into_iter().flatten().cloned()),
                "type" if value == "object" => {}
                "additionalProperties" if value == &Value::Bool(false) => {
                    merged.insert(key.clone(), value.clone());
                }
                "additionalProperties" if value == &Value::Bool(true) => {}
                k if ANNOTATIONS.contains(&k) => {}
                k => bail!(at, "`allOf` of object schemas only: `{k}` is not supported there"),
            }
        }
    }
    merged.insert("type".into(), "object".into());
    merged.insert("properties".into(), Value::Object(properties));
    merged.insert("required".into(), Value::Array(required));
    g.visit(&Value::Object(merged), &format!("{rule}-all"), path, depth + 1)
}

/// `schema`, with `$ref`s followed (up to the depth limit).
fn resolve<'v>(root: &'v Value, mut schema: &'v Value, path: &str) -> Res<&'v Value> {
    for _ in 0..super::MAX_DEPTH {
        let Some(pointer) = schema.get("$ref").and_then(Value::as_str) else {
            return Ok(schema);
        };
        let local = pointer.strip_prefix('#').unwrap_or("/not-local");
        schema = if local.is_empty() { Some(root) } else { root.pointer(local) }
            .ok_or_else(|| format!("`$ref` {pointer:?} points at nothing in the schema (at `{path}`)"))?;
    }
    bail!(path, "`$ref`s nested deeper than {} levels", super::MAX_DEPTH)
}
