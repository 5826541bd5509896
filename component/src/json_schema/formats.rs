//! String formats the converter enforces. Each grammar admits only strings a
//! strict validator accepts (a subset of the format where it must choose): dates
//! from 1000 to 2999 with days that exist in every year (no 29 February), UTC
//! times with seconds (`Z`, as RFC 3339 requires an offset), RFC 4122 UUIDs
//! (versions 1 to 8, lowercase), and plain `name@domain.tld` email addresses.
//! Any other format is refused: accepting a format and not enforcing it would be
//! silently wrong.
//!
//! Generators that emit a `pattern` beside the format (Zod) get the format's
//! grammar when their pattern is one known here, each checked by the tests to
//! admit everything the format's grammar admits.

/// Shared rules the formats use (name, body, rules it references); the string
/// rules include their quotes.
#[rustfmt::skip]
pub const RULES: &[(&str, &str, &[&str])] = &[
    ("format-date", r#""\"" date "\"""#, &["date"]),
    ("format-time", r#""\"" time "\"""#, &["time"]),
    ("format-date-time", r#""\"" date "T" time "\"""#, &["date", "time"]),
    ("format-uuid", r#""\"" [0-9a-f]{8} "-" [0-9a-f]{4} "-" [1-8] [0-9a-f]{3} "-" [89ab] [0-9a-f]{3} "-" [0-9a-f]{12} "\"""#, &[]),
    ("format-email", r#""\"" email-atom ( "." email-atom ){0,3} "@" email-label ( "." email-label ){0,3} "." [a-z]{2,6} "\"""#,
        &["email-atom", "email-label"]),
    ("date", r#"[12] [0-9]{3} "-" ( ( "0" [13578] | "1" [02] ) "-" ( "0" [1-9] | [12] [0-9] | "3" [01] ) | ( "0" [469] | "11" ) "-" ( "0" [1-9] | [12] [0-9] | "30" ) | "02-" ( "0" [1-9] | "1" [0-9] | "2" [0-8] ) )"#, &[]),
    ("time", r#"( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,6} )? "Z""#, &[]),
    ("email-atom", r#"[a-zA-Z0-9_+-]{1,32}"#, &[]),
    ("email-label", r#"[a-z0-9] ( [a-z0-9-]{0,30} [a-z0-9] )?"#, &[]),
];

/// The rule for `format`, if the converter enforces it.
pub fn rule(format: &str) -> Option<&'static str> {
    match format {
        "date" => Some("format-date"),
        "time" => Some("format-time"),
        "date-time" => Some("format-date-time"),
        "uuid" => Some("format-uuid"),
        "email" => Some("format-email"),
        _ => None,
    }
}

/// The patterns generators emit beside a format (Zod 4's `z.email()`,
/// `z.uuid()`, `z.iso.date()`, `z.iso.datetime()`), each admitting everything
/// the format's grammar here admits.
#[rustfmt::skip]
pub const GENERATOR_PATTERNS: &[(&str, &str)] = &[
    ("email", r"^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$"),
    ("uuid", r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$"),
    ("date", r"^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))$"),
    ("date-time", r"^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$"),
];

/// Whether `pattern` is what a generator emits beside `format`.
pub fn is_generator_pattern(format: &str, pattern: &str) -> bool {
    GENERATOR_PATTERNS.iter().any(|&(f, p)| f == format && p == pattern)
}
