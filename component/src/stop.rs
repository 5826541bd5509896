//! Stop strings that may span token boundaries. Text that could still turn
//! into a stop string is held back; once a stop string appears, everything
//! from it on is dropped.

pub struct StopMatcher {
    stops: Vec<String>,
    held: String,
}

/// What a piece of text turned into.
#[derive(Debug, PartialEq, Eq)]
pub struct Matched {
    /// Text that is safe to show now.
    pub emit: String,
    /// A stop string was found; generation ends.
    pub stopped: bool,
}

impl StopMatcher {
    pub fn new(stops: Vec<String>) -> Self {
        Self { stops, held: String::new() }
    }

    pub fn push(&mut self, text: &str) -> Matched {
        self.held.push_str(text);
        if let Some(at) = self.stops.iter().filter_map(|s| self.held.find(s.as_str())).min() {
            let emit = self.held[..at].to_string();
            self.held.clear();
            return Matched { emit, stopped: true };
        }
        let keep = self.longest_partial_suffix();
        let emit = self.held[..self.held.len() - keep].to_string();
        self.held.drain(..self.held.len() - keep);
        Matched { emit, stopped: false }
    }

    /// The text still held back when generation ends for another reason.
    pub fn finish(&mut self) -> String {
        std::mem::take(&mut self.held)
    }

    /// Bytes at the end of `held` that are a proper prefix of some stop string.
    fn longest_partial_suffix(&self) -> usize {
        let mut best = 0;
        for stop in &self.stops {
            for (len, _) in stop.char_indices().skip(1) {
                if len > best && self.held.ends_with(&stop[..len]) {
                    best = len;
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], pieces: &[&str]) -> (String, bool) {
        let mut m = StopMatcher::new(stops.iter().map(|s| s.to_string()).collect());
        let mut out = String::new();
        for p in pieces {
            let r = m.push(p);
            out.push_str(&r.emit);
            if r.stopped {
                return (out, true);
            }
        }
        out.push_str(&m.finish());
        (out, false)
    }

    #[test]
    fn stop_string_split_across_tokens() {
        assert_eq!(run(&["END"], &["hello E", "N", "D and more"]), ("hello ".into(), true));
    }

    #[test]
    fn false_start_is_released() {
        assert_eq!(run(&["END"], &["hello E", "N", "o"]), ("hello ENo".into(), false));
    }

    #[test]
    fn held_text_is_not_shown_early() {
        let mut m = StopMatcher::new(vec!["\n\n".into()]);
        assert_eq!(m.push("line\n").emit, "line");
        assert_eq!(m.push("\n"), Matched { emit: String::new(), stopped: true });
    }

    #[test]
    fn earliest_of_several_stops_wins() {
        assert_eq!(run(&["b", "a"], &["xxab"]), ("xx".into(), true));
    }

    #[test]
    fn multibyte_stop_strings() {
        assert_eq!(run(&["日本"], &["abc日", "本語"]), ("abc".into(), true));
        assert_eq!(run(&["日本"], &["abc日", "x"]), ("abc日x".into(), false));
    }

    #[test]
    fn no_stops_passes_everything() {
        assert_eq!(run(&[], &["a", "b"]), ("ab".into(), false));
    }
}
