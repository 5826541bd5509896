//! Arrays: `items` for every element, or tuples (`prefixItems`, or draft 7's
//! `items` as a list with `additionalItems`), within `minItems`/`maxItems`.
//! A tuple's listed elements are always generated, as many as `maxItems`
//! allows; elements past them only when a schema for them is given.

use super::{check_range, read_count, repeat, Gen, Obj, Res};
use serde_json::Value;

pub(super) fn array_expr(g: &mut Gen<'_>, obj: &Obj, rule: &str, path: &str, depth: usize) -> Res {
    let min = read_count(obj, "minItems", path)?.unwrap_or(0);
    let max = read_count(obj, "maxItems", path)?;
    check_range(min, max, "minItems", "maxItems", path)?;
    let ws = g.prim("ws");
    if max == Some(0) {
        return Ok(format!(r#""[" {ws} "]""#));
    }
    let (prefix, rest, rest_key) = match (obj.get("prefixItems"), obj.get("items")) {
        (Some(Value::Array(prefix)), items) => {
            if obj.contains_key("additionalItems") {
                bail!(path, "`additionalItems` applies to list-form `items`; with `prefixItems`, use `items`");
            }
            (prefix.as_slice(), items, "items")
        }
        (Some(v), _) => bail!(path, "`prefixItems` must be an array, got {v}"),
        (None, Some(Value::Array(prefix))) => (prefix.as_slice(), obj.get("additionalItems"), "additionalItems"),
        (None, items) => {
            if obj.contains_key("additionalItems") {
                bail!(path, "`additionalItems` applies to list-form `items` only");
            }
            (&[][..], items, "items")
        }
    };
    let mut elements = Vec::new();
    let listed = prefix.len().min(max.map_or(usize::MAX, |m| m as usize));
    for (i, schema) in prefix.iter().take(listed).enumerate() {
        let key = if obj.contains_key("prefixItems") { "prefixItems" } else { "items" };
        elements.push(g.visit(schema, &format!("{rule}-{i}"), &format!("{path}/{key}/{i}"), depth + 1)?);
    }
    let listed = listed as u64;
    // Elements past the listed ones: how many, and of what.
    let extra_min = min.saturating_sub(listed);
    let extra_max = max.map(|m| m - listed);
    let extra = match rest {
        Some(Value::Bool(false)) if extra_min > 0 => {
            bail!(path, "`minItems` ({min}) needs more elements than the {listed} listed, and `{rest_key}` is false")
        }
        Some(Value::Bool(false)) => None,
        // Unconstrained elements after a tuple: none are generated (still valid).
        None | Some(Value::Bool(true)) if listed > 0 && extra_min == 0 => None,
        None => Some(g.prim("value")),
        Some(schema) => Some(g.visit(schema, &format!("{rule}-items"), &format!("{path}/{rest_key}"), depth + 1)?),
    };
    let extra = extra.filter(|_| extra_max != Some(0));
    if elements.is_empty() {
        let Some(item) = extra else {
            return Ok(format!(r#""[" {ws} "]""#));
        };
        // First item, then `, item` for the remaining min-1 ..= max-1.
        let mut seq = item.clone();
        if extra_max != Some(1) {
            let more = repeat(extra_min.saturating_sub(1), extra_max.map(|m| m - 1));
            seq.push_str(&format!(r#" ( ws "," ws {item} ){more}"#));
        }
        let opt = if extra_min == 0 { "?" } else { "" };
        return Ok(format!(r#""[" ws ( {seq} ws ){opt} "]""#));
    }
    let mut seq = elements.join(r#" ws "," ws "#);
    if let Some(item) = extra {
        seq.push_str(&format!(r#" ( ws "," ws {item} ){}"#, repeat(extra_min, extra_max)));
    }
    Ok(format!(r#""[" ws {seq} ws "]""#))
}
