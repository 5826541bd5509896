//! UTF-8-safe streaming. A token can end in the middle of a character (byte
//! fallback tokens, multi-byte emoji), so bytes are held back until they form
//! whole characters; a caller never sees half a character.

#[derive(Default)]
pub struct Utf8Buffer {
    pending: Vec<u8>,
}

impl Utf8Buffer {
    /// Appends `bytes` and returns every complete character now available.
    /// Bytes that can never become valid UTF-8 come out as U+FFFD.
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(s) => {
                    out.push_str(s);
                    self.pending.clear();
                    return out;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    out.push_str(std::str::from_utf8(&self.pending[..valid]).expect("checked"));
                    match e.error_len() {
                        // An incomplete character at the end: wait for more bytes.
                        None => {
                            self.pending.drain(..valid);
                            return out;
                        }
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            self.pending.drain(..valid + bad);
                        }
                    }
                }
            }
        }
    }

    /// Whatever is left at the end of generation (an unfinished character becomes U+FFFD).
    pub fn finish(&mut self) -> String {
        let rest = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_back_a_split_character() {
        let mut b = Utf8Buffer::default();
        let crab = "🦀".as_bytes();
        assert_eq!(b.push(&crab[..1]), "");
        assert_eq!(b.push(&crab[1..3]), "");
        assert_eq!(b.push(&crab[3..]), "🦀");
    }

    #[test]
    fn passes_ascii_straight_through_and_keeps_the_tail() {
        let mut b = Utf8Buffer::default();
        let e = "é".as_bytes();
        assert_eq!(b.push(&[b'a', b'b', e[0]]), "ab");
        assert_eq!(b.push(&[e[1], b'c']), "éc");
    }

    #[test]
    fn replaces_invalid_bytes_and_continues() {
        let mut b = Utf8Buffer::default();
        assert_eq!(b.push(&[b'x', 0xff, b'y']), "x\u{fffd}y");
    }

    #[test]
    fn an_unfinished_character_at_the_end_becomes_a_replacement() {
        let mut b = Utf8Buffer::default();
        assert_eq!(b.push(&"€".as_bytes()[..2]), "");
        assert_eq!(b.finish(), "\u{fffd}");
        assert_eq!(b.finish(), "");
    }
}
