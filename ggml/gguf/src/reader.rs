//! Reads a GGUF file front to back, knowing how many bytes are left, so that
//! no length or count read from the file is trusted beyond them.

use crate::GgufError;
use std::io::Read;

pub struct Reader<R> {
    input: R,
    pos: u64,
    len: u64,
}

impl<R: Read> Reader<R> {
    pub fn new(input: R, len: u64) -> Self {
        Self { input, pos: 0, len }
    }

    pub fn position(&self) -> u64 {
        self.pos
    }

    fn left(&self) -> u64 {
        self.len.saturating_sub(self.pos)
    }

    pub fn error(&self, message: impl Into<String>) -> GgufError {
        GgufError { offset: self.pos, message: message.into() }
    }

    pub fn error_at(&self, offset: u64, message: impl Into<String>) -> GgufError {
        GgufError { offset, message: message.into() }
    }

    pub fn bytes(&mut self, n: u64) -> Result<Vec<u8>, GgufError> {
        if n > self.left() {
            return Err(self.error(format!("the file ends {} bytes into a {n}-byte field", self.left())));
        }
        let mut buf = vec![0u8; n as usize];
        self.input.read_exact(&mut buf).map_err(|e| self.error(format!("cannot read: {e}")))?;
        self.pos += n;
        Ok(buf)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], GgufError> {
        let v = self.bytes(N as u64)?;
        Ok(v.try_into().expect("N bytes"))
    }

    pub fn u32(&mut self) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A count of items, each at least `min_item` bytes: bounded by `max` and by the bytes left.
    pub fn count(&mut self, what: &str, min_item: u64, max: u64) -> Result<u64, GgufError> {
        let at = self.pos;
        let n = self.u64()?;
        if n > max {
            return Err(self.error_at(at, format!("{what} {n} is over the limit of {max}")));
        }
        if n.saturating_mul(min_item) > self.left() {
            return Err(self.error_at(at, format!("{what} {n} cannot fit in the {} bytes left", self.left())));
        }
        Ok(n)
    }

    /// A length-prefixed UTF-8 string of at most `max` bytes.
    pub fn string(&mut self, max: u64, what: &str) -> Result<String, GgufError> {
        let at = self.pos;
        let n = self.u64()?;
        if n > max {
            return Err(self.error_at(at, format!("{what} of {n} bytes is over the limit of {max}")));
        }
        let bytes = self.bytes(n)?;
        String::from_utf8(bytes).map_err(|_| self.error_at(at, format!("{what} is not UTF-8")))
    }
}
