//! The stop-string matcher against a naive reference: text streamed in pieces
//! shows exactly what the whole text shows, cut at the first stop string to
//! appear (the earliest one in the text at the piece where one first appears).
#![no_main]

#[path = "../../src/stop.rs"]
mod stop;

use libfuzzer_sys::fuzz_target;
use stop::StopMatcher;

#[derive(arbitrary::Arbitrary, Debug)]
struct Input {
    stops: Vec<String>,
    pieces: Vec<String>,
}

/// What a caller sees: the text shown, and whether a stop string ended it.
fn streamed(stops: &[String], pieces: &[String]) -> (String, bool) {
    let mut matcher = StopMatcher::new(stops.to_vec());
    let mut shown = String::new();
    for piece in pieces {
        let matched = matcher.push(piece);
        shown.push_str(&matched.emit);
        if matched.stopped {
            return (shown, true);
        }
    }
    shown.push_str(&matcher.finish());
    (shown, false)
}

fn reference(stops: &[String], pieces: &[String]) -> (String, bool) {
    let mut text = String::new();
    for piece in pieces {
        text.push_str(piece);
        if let Some(at) = stops.iter().filter_map(|s| text.find(s.as_str())).min() {
            return (text[..at].to_string(), true);
        }
    }
    (text, false)
}

fuzz_target!(|input: Input| {
    // The component refuses empty stop strings (options.rs), so the matcher never sees one.
    let stops: Vec<String> = input.stops.into_iter().filter(|s| !s.is_empty()).take(8).collect();
    assert_eq!(streamed(&stops, &input.pieces), reference(&stops, &input.pieces), "stops {stops:?}");
});
