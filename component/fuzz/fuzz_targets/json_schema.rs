//! The JSON-schema to grammar converter on any JSON: an error or a grammar,
//! never a panic, and in bounded time (the run's -timeout).
#![no_main]

#[path = "../../src/json_schema/mod.rs"]
mod json_schema;

use libfuzzer_sys::fuzz_target;
use json_schema::schema_to_gbnf;

fuzz_target!(|data: &[u8]| {
    if let Ok(schema) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = schema_to_gbnf(&schema);
    }
});
