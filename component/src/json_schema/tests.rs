//! The converter's unit tests: exact grammars for small schemas, and, through
//! `language` (a grammar as a regular expression), which strings the grammars
//! of bounded numbers, formats and patterns admit.

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
                        assert!(!escape || b"\"\\ntr[]-x".contains(&b[i + 1]), "{line}");
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
    assert_eq!(rules(schema), "root ::= \"{\" ws \"\\\"x\\\"\" ws \":\" ws root-x ws \"}\" | null\nroot-x ::= value\n");
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
    let rejected = "not patternProperties uniqueItems multipleOf if dependentRequired contentEncoding";
    for kw in rejected.split(' ') {
        let e = err(json!({"type": "string", kw: "x"}));
        assert_eq!(e, format!("unsupported JSON schema keyword `{kw}` (at `#`)"));
    }
    let e = err(json!({"properties": {"a/b": {"items": {"not": {}}}}}));
    assert_eq!(e, "unsupported JSON schema keyword `not` (at `#/properties/a~1b/items`)");
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
        (json!({"type": "array", "items": [{}], "minItems": 2, "additionalItems": false}), "`minItems` (2) needs more"),
        (json!({"type": "object", "additionalProperties": 3}), "`additionalProperties` must be a boolean or a schema"),
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

/// The strings `schema`'s grammar admits, as a regular expression: its rules
/// inlined (so for grammars without recursion only) and anchored.
fn language(schema: Value) -> regex::Regex {
    let grammar = gbnf(schema);
    let rules: std::collections::HashMap<&str, &str> = grammar.lines().filter_map(|l| l.split_once(" ::= ")).collect();
    let pattern = format!("^(?:{})$", inline(&rules, "root", 0));
    regex::Regex::new(&pattern).unwrap_or_else(|e| panic!("{e}\n{grammar}"))
}

fn inline(rules: &std::collections::HashMap<&str, &str>, rule: &str, depth: usize) -> String {
    assert!(depth < 50, "recursive grammar: `language` inlines rules");
    let b = rules[rule].as_bytes();
    let (mut out, mut i) = (String::new(), 0);
    // One character of a literal or class, GBNF escapes decoded.
    let unescape = |i: &mut usize| -> char {
        if b[*i] != b'\\' {
            let c = rules[rule][*i..].chars().next().unwrap();
            *i += c.len_utf8();
            return c;
        }
        *i += 2;
        match b[*i - 1] {
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'x' => {
                *i += 2;
                char::from(u8::from_str_radix(&rules[rule][*i - 2..*i], 16).unwrap())
            }
            c => char::from(c),
        }
    };
    while i < b.len() {
        match b[i] {
            b' ' => i += 1,
            b'"' => {
                i += 1;
                let mut literal = String::new();
                while b[i] != b'"' {
                    literal.push(unescape(&mut i));
                }
                i += 1;
                out.push_str(&format!("(?:{})", regex::escape(&literal)));
            }
            b'[' => {
                i += 1;
                out.push('[');
                if b[i] == b'^' {
                    out.push('^');
                    i += 1;
                }
                while b[i] != b']' {
                    if b[i] == b'-' {
                        out.push('-');
                        i += 1;
                        continue;
                    }
                    let c = unescape(&mut i);
                    out.push_str(&format!("\\x{{{:X}}}", c as u32));
                }
                i += 1;
                out.push(']');
            }
            b'(' => (out.push_str("(?:"), i += 1).1,
            b')' | b'|' | b'*' | b'+' | b'?' => (out.push(char::from(b[i])), i += 1).1,
            b'{' => {
                let end = i + rules[rule][i..].find('}').unwrap();
                out.push_str(&rules[rule][i..=end]);
                i = end + 1;
            }
            _ => {
                let end = rules[rule][i..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .map_or(b.len(), |e| i + e);
                out.push_str(&format!("(?:{})", inline(rules, &rules[rule][i..end], depth + 1)));
                i = end;
            }
        }
    }
    out
}

#[test]
fn bounded_integers_admit_exactly_their_range_written_canonically() {
    let cases = [
        json!({"minimum": 0, "maximum": 120}),
        json!({"minimum": -90, "maximum": 90}),
        json!({"minimum": -1000, "maximum": -17}),
        json!({"exclusiveMinimum": 7, "exclusiveMaximum": 1001}),
        json!({"minimum": 19}),
        json!({"maximum": -3}),
        json!({"minimum": 5, "exclusiveMinimum": true, "maximum": 9.5}),
        json!({"minimum": 0.5, "maximum": 99.9}),
        json!({"minimum": 1, "maximum": 1}),
    ];
    for case in cases {
        let mut schema = case.clone();
        schema["type"] = json!("integer");
        let language = language(schema);
        let lo = case.get("minimum").and_then(Value::as_f64).unwrap_or(f64::MIN);
        let hi = case.get("maximum").and_then(Value::as_f64).unwrap_or(f64::MAX);
        let exclusive_lo = case.get("exclusiveMinimum").and_then(Value::as_f64).unwrap_or(f64::MIN);
        let exclusive_hi = case.get("exclusiveMaximum").and_then(Value::as_f64).unwrap_or(f64::MAX);
        let strict_lo = case.get("exclusiveMinimum") == Some(&json!(true));
        for n in -2500i64..2500 {
            let v = n as f64;
            let inside = v >= lo && v <= hi && v > exclusive_lo && v < exclusive_hi && !(strict_lo && v == lo);
            assert_eq!(language.is_match(&n.to_string()), inside, "{n} in {case}");
        }
        for written in ["007", "-0", "+5", "1e2", "5.0", ""] {
            assert!(!language.is_match(written), "{written:?} in {case}");
        }
        if case.get("maximum").is_none() && case.get("exclusiveMaximum").is_none() {
            assert!(language.is_match("9999999999999999") && !language.is_match("99999999999999999"), "{case}");
        }
    }
    assert!(err(json!({"type": "integer", "minimum": 3, "maximum": 2})).contains("no integer lies within"));
    assert!(err(json!({"type": "integer", "minimum": "3"})).contains("`minimum` must be a number"));
}

#[test]
fn bounded_numbers_admit_only_numbers_in_range() {
    let cases = [
        (json!({"minimum": 0, "maximum": 1}), 0.0, 1.0, false, false),
        (json!({"minimum": -90, "maximum": 90}), -90.0, 90.0, false, false),
        (json!({"exclusiveMinimum": 0}), 0.0, f64::MAX, true, false),
        (json!({"minimum": -5, "exclusiveMaximum": -2}), -5.0, -2.0, false, true),
        (json!({"exclusiveMinimum": -1, "exclusiveMaximum": 0}), -1.0, 0.0, true, true),
        (json!({"maximum": 0}), f64::MIN, 0.0, false, false),
    ];
    let candidates: Vec<String> = (-120..=120)
        .flat_map(|i| {
            let i = i as f64 / 4.0;
            [format!("{i}"), format!("{i:.1}"), format!("{i:.3}"), format!("{:.0}", i.trunc())]
        })
        .chain(
            ["-0.0", "-0", "0.000", "1.0000001", "0.9999", "-0.25", "90.0", "90.01", "1e3", "00.5"].map(String::from),
        )
        .collect();
    for (case, lo, hi, open_lo, open_hi) in cases {
        let mut schema = case.clone();
        schema["type"] = json!("number");
        let language = language(schema);
        let mut admitted = 0;
        for c in &candidates {
            if language.is_match(c) {
                admitted += 1;
                let v: f64 = c.parse().unwrap();
                let inside = (if open_lo { v > lo } else { v >= lo }) && (if open_hi { v < hi } else { v <= hi });
                assert!(inside, "{c} admitted for {case}");
                assert!(!c.starts_with("-0") || c.contains(['1', '2', '3', '4', '5', '6', '7', '8', '9']), "{c}");
                assert!(!c.starts_with("00") && !c.contains('e'), "{c}");
            }
        }
        assert!(admitted > 5, "{case} admitted only {admitted}");
    }
    assert!(err(json!({"type": "number", "minimum": 0.5})).contains("only whole-number bounds"));
    assert!(err(json!({"type": "number", "minimum": 1, "exclusiveMaximum": 1})).contains("no number lies"));
}

#[test]
fn formats_admit_only_valid_strings() {
    let date = language(json!({"type": "string", "format": "date"}));
    let days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for month in 0..=13 {
        for day in 0..=32 {
            let valid = (1..=12).contains(&month) && day >= 1 && day <= days[(month as usize).clamp(1, 12) - 1];
            assert_eq!(date.is_match(&format!("\"2023-{month:02}-{day:02}\"")), valid, "{month}-{day}");
        }
    }
    assert!(!date.is_match("\"2006/05/28\"") && !date.is_match("\"0999-01-01\"") && !date.is_match("\"2023-1-01\""));
    let time = language(json!({"type": "string", "format": "time"}));
    for ok in ["\"00:00:00Z\"", "\"23:59:59.123Z\""] {
        assert!(time.is_match(ok), "{ok}");
    }
    // Offsets other than Z are valid, but not generated.
    for bad in ["\"24:00:00Z\"", "\"12:60:00Z\"", "\"12:00:00\"", "\"12:00Z\"", "\"12:30:00-08:00\""] {
        assert!(!time.is_match(bad), "{bad}");
    }
    let date_time = language(json!({"type": "string", "format": "date-time"}));
    assert!(date_time.is_match("\"2024-12-04T19:45:02Z\"") && !date_time.is_match("\"2024-12-04 19:45:02Z\""));
    let uuid = language(json!({"type": "string", "format": "uuid"}));
    assert!(
        uuid.is_match("\"123e4567-e89b-12d3-a456-426614174000\"")
            && !uuid.is_match("\"123e4567e89b12d3a456426614174000\"")
    );
    let email = language(json!({"type": "string", "format": "email"}));
    for ok in ["\"ada@example.com\"", "\"a.b+c@mail.example.org\""] {
        assert!(email.is_match(ok), "{ok}");
    }
    for bad in ["\"@example.com\"", "\"a@b\"", "\"a..b@example.com\"", "\".a@example.com\"", "\"a@-x.com\""] {
        assert!(!email.is_match(bad), "{bad}");
    }
    assert!(err(json!({"type": "string", "format": "uri"})).contains("unsupported `format` `uri`"));
    assert!(err(json!({"type": "string", "format": "date", "maxLength": 3})).contains("cannot be combined"));
    // `format` implies a string, as the other string keywords do.
    assert!(language(json!({"format": "uuid"})).is_match("\"00000000-0000-4000-8000-000000000000\""));
}

#[test]
fn patterns_admit_whole_matches_only() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("^[a-z]+$", &["abc", "z"], &["", "aB", "a1"]),
        (r"^\d{3}-\d{4}$", &["555-1234"], &["5551234", "55-1234"]),
        ("^(foo|bar)+baz?$", &["foobarba", "foobaz"], &["baz", "fooba z"]),
        (r"^[A-Z]{2}\d{2}(?:\s?\d{4}){2}$", &["DE12 3456 7890", "DE1234567890"], &["de12"]),
        (r"^\w+@\w+\.com$", &["a_1@b.com"], &["a@b.org"]),
        ("a.c", &["abc", "a c"], &["ac"]),
        (r#"^say "hi" \\o/$"#, &[r#"say "hi" \o/"#], &["say hi"]),
        ("^[^0-9]{2,3}$", &["ab", "xyz"], &["a1", "abcd"]),
        (r"^x{2}y{1,}z{0,2}$", &["xxy", "xxyyzz"], &["xy", "xxyzzz"]),
        (r"^(?<year>\d{4})-(?<n>\d+?)$", &["2024-1"], &["2024-"]),
        ("^a{b$", &["a{b"], &["ab"]),
        (r"^[\^a-]{2}$", &["^a", "-^"], &["ab"]),
    ];
    for (pattern, matching, other) in cases {
        let language = language(json!({"type": "string", "pattern": pattern}));
        let original = regex::Regex::new(&format!("^(?:{})$", pattern.trim_start_matches('^').trim_end_matches('$')));
        for s in *matching {
            let json = Value::from(*s).to_string();
            assert!(language.is_match(&json), "{pattern}: {json} should match");
        }
        for s in *other {
            assert!(!language.is_match(&Value::from(*s).to_string()), "{pattern}: {s:?} should not match");
        }
        // Whatever the grammar admits, the pattern matches.
        if let Ok(original) = original {
            for s in matching.iter().chain(*other) {
                if language.is_match(&Value::from(*s).to_string()) {
                    assert!(original.is_match(s), "{pattern} admitted {s:?}");
                }
            }
        }
    }
    for (pattern, what) in [
        (r"^(a)\1$", r"`\1`"),
        ("^(?=a)a$", "a lookaround"),
        (r"^\bword$", r"`\b`"),
        (r"^\p{L}$", r"`\p`"),
        ("^a^b$", "`^` inside the pattern"),
        ("^a{5,2}$", "n < m"),
        ("^a{1,5000}$", "over 1000"),
        ("^(a$", "an unclosed `(`"),
        ("^a)$", "an unmatched `)`"),
        ("^[a$", "an unclosed `[`"),
        ("^a++$", "a possessive quantifier"),
        ("^a{,3}$", "`{,n}`"),
    ] {
        let e = err(json!({"type": "string", "pattern": pattern}));
        assert!(e.contains(what) && e.contains("(at `#`)"), "{pattern}: {e}");
    }
}

#[test]
fn references_to_definitions_become_shared_rules() {
    // A Pydantic model with a nested model, an enum and an optional field.
    let schema = json!({
        "$defs": {
            "Address": {"properties": {"city": {"type": "string"}}, "required": ["city"], "title": "Address", "type": "object"},
            "Color": {"enum": ["red", "green"], "title": "Color", "type": "string"}
        },
        "properties": {
            "home": {"$ref": "#/$defs/Address"},
            "work": {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}], "default": null},
            "color": {"$ref": "#/$defs/Color", "description": "a colour"}
        },
        "required": ["home", "color"], "title": "Person", "type": "object"
    });
    let g = rules(schema.clone());
    assert_eq!(g.matches("root-ref-Address ::= ").count(), 1, "{g}");
    assert!(g.contains("root-ref-Color ::= \"\\\"red\\\"\" | \"\\\"green\\\"\""), "{g}");
    let language = language(schema);
    assert!(language.is_match(r#"{"home":{"city":"Paris"},"color":"red","work":null}"#));
    assert!(!language.is_match(r#"{"home":{"town":"Paris"},"color":"red"}"#));
    // Recursion through structure is fine; a cycle of bare references is not.
    let tree = json!({"$defs": {"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}}, "$ref": "#/$defs/Node"});
    assert!(gbnf(tree).contains("root-ref-Node ::= \"{\""));
    let recursive_root =
        json!({"type": "object", "properties": {"next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}}});
    assert!(gbnf(recursive_root).contains("root-next-0 ::= root-ref-root"));
    for (schema, want) in [
        (json!({"$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}, "$ref": "#/$defs/A"}), "a cycle"),
        (json!({"$defs": {"A": {"anyOf": [{"$ref": "#/$defs/A"}, {"type": "null"}]}}, "$ref": "#/$defs/A"}), "a cycle"),
        (json!({"$ref": "#/$defs/Missing"}), "points at nothing"),
        (json!({"$ref": "https://example.com/schema.json"}), "is not local"),
        (json!({"$ref": "#/$defs/A", "type": "object"}), "`$ref` cannot be combined with `type`"),
        (json!({"$ref": 3}), "`$ref` must be a string"),
    ] {
        let e = err(schema);
        assert!(e.contains(want), "{e:?} lacks {want:?}");
    }
}

#[test]
fn all_of_merges_object_schemas() {
    let schema = json!({
        "$defs": {"Base": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}},
        "allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"name": {"type": "string"}}, "required": ["name"]}]
    });
    let language = language(schema);
    assert!(language.is_match(r#"{"id":1,"name":"x"}"#));
    assert!(!language.is_match(r#"{"id":1}"#));
    // One schema is that schema.
    assert_eq!(rules(json!({"allOf": [{"type": "integer"}], "title": "x"})), "root ::= root-0\nroot-0 ::= integer\n");
    assert!(err(json!({"allOf": [{"type": "object"}, {"type": "string"}]})).contains("`allOf` of object schemas only"));
    let clash =
        json!({"allOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"a": {"type": "integer"}}}]});
    assert!(err(clash).contains("two different schemas"));
}

#[test]
fn tuples_maps_and_property_counts() {
    let tuple =
        language(json!({"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": false}));
    assert!(tuple.is_match(r#"[1,"a"]"#) && !tuple.is_match("[1]") && !tuple.is_match(r#"[1,"a",2]"#));
    let draft7 = language(
        json!({"type": "array", "items": [{"type": "boolean"}], "additionalItems": {"type": "null"}, "minItems": 3}),
    );
    assert!(draft7.is_match("[true,null,null]") && !draft7.is_match("[true,null]"));
    let map = language(json!({"type": "object", "additionalProperties": {"type": "integer"}, "maxProperties": 2}));
    assert!(map.is_match(r#"{"a":1,"b":2}"#) && map.is_match("{}") && !map.is_match(r#"{"a":1,"b":2,"c":3}"#));
    assert!(!map.is_match(r#"{"a":"x"}"#));
    let counted = json!({"type": "object", "properties": {"a": {}, "b": {}}, "required": ["a"], "minProperties": 1, "maxProperties": 2});
    gbnf(counted);
    let e = err(json!({"type": "object", "properties": {"a": {}, "b": {}}, "minProperties": 1}));
    assert!(e.contains("`minProperties` (1) above the 0 required properties"), "{e}");
}

#[test]
fn generator_patterns_admit_everything_their_format_grammar_admits() {
    // Strings each format's grammar admits, and near misses; whatever the
    // grammar admits must match the generator's pattern.
    let candidates: &[(&str, &[&str])] = &[
        ("email", &["ada@example.com", "a.b+c_d-e@mail.ex-ample.org", "x@y.io", "a@b", "a..b@c.de"]),
        (
            "uuid",
            &[
                "123e4567-e89b-42d3-a456-426614174000",
                "00000000-0000-1000-8000-000000000000",
                "123e4567-e89b-02d3-a456-426614174000",
                "123e4567-e89b-42d3-c456-426614174000",
            ],
        ),
        ("date", &["2024-02-28", "2023-02-29", "2024-04-30", "2024-04-31", "1000-12-31", "0000-01-01"]),
        (
            "date-time",
            &[
                "2024-12-04T19:45:02Z",
                "2024-12-04T19:45:02.123456Z",
                "2024-12-04T19:45:02+01:00",
                "2024-12-04T24:00:00Z",
            ],
        ),
    ];
    for &(format, pattern) in formats::GENERATOR_PATTERNS {
        let ours = language(json!({"type": "string", "format": format}));
        let both = language(json!({"type": "string", "format": format, "pattern": pattern}));
        let theirs = regex::Regex::new(pattern).unwrap();
        let (_, strings) = candidates.iter().find(|(f, _)| *f == format).unwrap();
        let mut admitted = 0;
        for s in *strings {
            let json = Value::from(*s).to_string();
            assert_eq!(ours.is_match(&json), both.is_match(&json), "{format} {s}");
            if ours.is_match(&json) {
                admitted += 1;
                assert!(theirs.is_match(s), "{format}: {s} admitted, but the generator's pattern refuses it");
            }
        }
        assert!(admitted >= 2, "{format}");
    }
    let other = err(json!({"type": "string", "format": "date", "pattern": "^.*$"}));
    assert!(other.contains("only with the one Zod emits"), "{other}");
    // Records: every property name is a string.
    gbnf(json!({"type": "object", "propertyNames": {"type": "string"}, "additionalProperties": {"type": "integer"}}));
    assert!(err(json!({"type": "object", "propertyNames": {"maxLength": 3}})).contains("`propertyNames` other than"));
}

#[test]
fn schemas_as_generators_emit_them_and_every_shape_convert() {
    for fixture in [
        include_str!("../../../tests/fixtures/generated-schemas.json"),
        include_str!("../../../tests/fixtures/schema-shapes.json"),
    ] {
        let fixture: Value = serde_json::from_str(fixture).unwrap();
        for (name, schema) in fixture["schemas"].as_object().unwrap() {
            schema_to_gbnf(schema).unwrap_or_else(|e| panic!("{name}: {e}"));
            gbnf(schema.clone());
        }
    }
}

#[test]
fn numeric_formats_bound_their_numbers() {
    // As schemars writes a u8 field.
    let byte = language(json!({"type": "integer", "format": "uint8", "minimum": 0}));
    assert!(byte.is_match("255") && !byte.is_match("256") && !byte.is_match("-1"));
    let small = language(json!({"type": "integer", "format": "int16", "maximum": 10}));
    assert!(small.is_match("-32768") && !small.is_match("-32769") && !small.is_match("11"));
    let double = language(json!({"type": "number", "format": "double"}));
    assert!(double.is_match("-1.5") && double.is_match("2"));
    assert!(err(json!({"type": "integer", "format": "date"})).contains("unsupported `format` \"date\" on a number"));
}

#[test]
fn hostile_schemas_end_in_a_clear_error_or_a_bounded_grammar() {
    // 10,000 branches: one rule each, a grammar that grows with the schema, no more.
    let branches: Vec<Value> = (0..10_000).map(|i| json!({"const": i})).collect();
    let schema = json!({"anyOf": branches});
    let grammar = schema_to_gbnf(&schema).unwrap();
    assert!(grammar.len() < 40 * schema.to_string().len(), "{} bytes", grammar.len());
    // A long chain of references that ends in a cycle.
    let mut defs = serde_json::Map::new();
    for i in 0..500 {
        defs.insert(format!("D{i}"), json!({"$ref": format!("#/$defs/D{}", (i + 1) % 500)}));
    }
    let cycle = err(json!({"$defs": defs, "$ref": "#/$defs/D0"}));
    assert!(cycle.contains("nested deeper than") || cycle.contains("a cycle"), "{cycle}");
    // References nested deeper than the limit through structure.
    let mut deep = serde_json::Map::new();
    for i in 0..200 {
        deep.insert(format!("D{i}"), json!({"type": "array", "items": {"$ref": format!("#/$defs/D{}", i + 1)}}));
    }
    deep.insert("D200".into(), json!({"type": "null"}));
    assert!(err(json!({"$defs": deep, "$ref": "#/$defs/D0"})).contains("nested deeper than 64 levels"));
    // Huge counts are refused rather than expanded.
    assert!(err(json!({"type": "string", "maxLength": 1_000_000_000u64})).contains("at most 1000"));
    assert!(err(json!({"type": "string", "pattern": "^a{100000}$"})).contains("over 1000"));
    let nested_groups = format!("^{}a{}$", "(".repeat(500), ")".repeat(500));
    assert!(err(json!({"type": "string", "pattern": nested_groups})).contains("deeper than 64"));
}
