//! What an image file says about itself, read from its header before anything
//! decodes it: the format and the size. A hostile file can claim 20000×20000
//! pixels in a few dozen bytes, and a decoder would then allocate gigabytes;
//! so sizes are checked here first, and only PNG and JPEG are accepted.

use crate::error::ProfileError;

/// The most pixels an image may have (about 8192 × 4096): far above what any
/// projector uses (they resize to a few hundred pixels a side), far below what
/// would strain memory when decoded (4 bytes a pixel, 128 MiB).
pub const MAX_PIXELS: u64 = 32 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageHeader {
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// The header of `bytes`, or an `invalid-input` error saying what is wrong.
pub fn read_header(bytes: &[u8]) -> Result<ImageHeader, ProfileError> {
    let invalid = |m: String| ProfileError::invalid_input(m);
    if bytes.is_empty() {
        return Err(invalid("the image is empty".into()));
    }
    let header = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else {
        return Err(invalid("the image is neither PNG nor JPEG (the formats supported)".into()));
    }
    .ok_or_else(|| invalid("the image's header is truncated or malformed".into()))?;
    if header.width == 0 || header.height == 0 {
        return Err(invalid(format!("the image is {}×{} pixels: it has no pixels", header.width, header.height)));
    }
    if header.width as u64 * header.height as u64 > MAX_PIXELS {
        return Err(invalid(format!(
            "the image is {}×{} pixels, more than the {MAX_PIXELS} pixels allowed",
            header.width, header.height
        )));
    }
    Ok(header)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

/// PNG: the signature, then the IHDR chunk (length, "IHDR", width, height).
fn png(b: &[u8]) -> Option<ImageHeader> {
    if b.get(12..16)? != b"IHDR" {
        return None;
    }
    Some(ImageHeader { format: Format::Png, width: be32(b, 16)?, height: be32(b, 20)? })
}

/// JPEG: segments after SOI until a start-of-frame, which holds the size.
fn jpeg(b: &[u8]) -> Option<ImageHeader> {
    let mut at = 2;
    loop {
        // Markers may be padded with fill bytes (0xFF).
        while *b.get(at)? == 0xFF && *b.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *b.get(at)? != 0xFF {
            return None;
        }
        let marker = *b.get(at + 1)?;
        match marker {
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => at += 2,
            // Start of scan or end of image before any frame: no size.
            0xDA | 0xD9 => return None,
            // Start of frame (not DHT 0xC4, JPG 0xC8, DAC 0xCC): precision, height, width.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = be16(b, at + 5)? as u32;
                let width = be16(b, at + 7)? as u32;
                return Some(ImageHeader { format: Format::Jpeg, width, height });
            }
            _ => at += 2 + be16(b, at + 2)? as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend(width.to_be_bytes());
        b.extend(height.to_be_bytes());
        b.extend([8, 6, 0, 0, 0]);
        b
    }

    fn jpeg_header(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, b'J', b'F', 0xFF, 0xFF, 0xC0, 0, 11, 8];
        b.extend(height.to_be_bytes());
        b.extend(width.to_be_bytes());
        b.extend([1, 1, 0x11, 0]);
        b
    }

    fn message(bytes: &[u8]) -> String {
        read_header(bytes).expect_err("refused").message
    }

    #[test]
    fn reads_the_size_of_png_and_jpeg() {
        assert_eq!(
            read_header(&png_header(32, 24)).unwrap(),
            ImageHeader { format: Format::Png, width: 32, height: 24 }
        );
        assert_eq!(
            read_header(&jpeg_header(640, 480)).unwrap(),
            ImageHeader { format: Format::Jpeg, width: 640, height: 480 }
        );
    }

    #[test]
    fn refuses_what_would_be_dangerous_or_meaningless_to_decode() {
        assert!(message(b"").contains("empty"));
        assert!(message(b"hello, I am a text file named cat.jpg").contains("neither PNG nor JPEG"));
        assert!(message(&png_header(20000, 20000)).contains("more than"));
        assert!(message(&jpeg_header(65535, 65535)).contains("more than"));
        assert!(message(&png_header(0, 0)).contains("no pixels"));
        assert!(message(&jpeg_header(10, 0)).contains("no pixels"));
        let whole = png_header(32, 32);
        for cut in 1..whole.len() - 5 {
            assert!(read_header(&whole[..cut]).is_err(), "a PNG cut at {cut} passed");
        }
        let whole = jpeg_header(32, 32);
        for cut in 2..whole.len() - 4 {
            assert!(read_header(&whole[..cut]).is_err(), "a JPEG cut at {cut} passed");
        }
        // A scan before any frame header has no size.
        assert!(read_header(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]).is_err());
    }
}
