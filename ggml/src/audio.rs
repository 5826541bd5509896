//! What an audio file says about itself, read from its header before anything
//! decodes it: the format, sample rate, channels and length. A hostile file
//! can claim hours of audio, or a rate of four billion samples a second, in a
//! few dozen bytes; the decoder (miniaudio, inside llama.cpp's mtmd) would then
//! allocate for it. So the claims are checked here first, against the file's
//! real size and the engine's `max_audio_seconds`; only WAV, FLAC and MP3 are
//! accepted, the formats mtmd decodes.

use crate::error::ProfileError;

/// Sample rates a real recording has; anything else is a mistake or an attack.
const RATES: std::ops::RangeInclusive<u32> = 8_000..=192_000;
const MAX_CHANNELS: u16 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Wav,
    Flac,
    Mp3,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioHeader {
    pub format: Format,
    pub sample_rate: u32,
    pub channels: u16,
    /// The length the header claims (for MP3, estimated from the first frame's bit rate).
    pub seconds: f64,
}

/// The header of `bytes`, or an `invalid-input` error saying what is wrong;
/// audio longer than `max_seconds` is refused.
pub fn read_header(bytes: &[u8], max_seconds: u32) -> Result<AudioHeader, ProfileError> {
    let invalid = |m: String| ProfileError::invalid_input(m);
    if bytes.is_empty() {
        return Err(invalid("the audio is empty".into()));
    }
    let header = if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WAVE") {
        wav(bytes)?
    } else if bytes.starts_with(b"fLaC") {
        flac(bytes)?
    } else if bytes.starts_with(b"ID3") || bytes.first() == Some(&0xFF) {
        mp3(bytes)?
    } else {
        return Err(invalid("the audio is neither WAV, FLAC nor MP3 (the formats supported)".into()));
    };
    if !RATES.contains(&header.sample_rate) {
        return Err(invalid(format!(
            "the audio claims {} samples a second; a recording has {} to {}",
            header.sample_rate,
            RATES.start(),
            RATES.end()
        )));
    }
    if header.channels == 0 || header.channels > MAX_CHANNELS {
        return Err(invalid(format!(
            "the audio claims {} channels; 1 to {MAX_CHANNELS} are accepted",
            header.channels
        )));
    }
    if header.seconds > f64::from(max_seconds) {
        return Err(invalid(format!(
            "the audio is {:.0} seconds long, more than the engine's max audio length of {max_seconds} seconds",
            header.seconds
        )));
    }
    Ok(header)
}

fn malformed(format: &str, why: &str) -> ProfileError {
    ProfileError::invalid_input(format!("the {format} audio's header is truncated or malformed: {why}"))
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// WAV: RIFF chunks, the `fmt ` one (encoding, channels, rate, sample size)
/// before the `data` one, whose claimed size must lie within the file.
fn wav(b: &[u8]) -> Result<AudioHeader, ProfileError> {
    let bad = |why: &str| malformed("WAV", why);
    let mut at = 12;
    let mut format: Option<(u16, u16, u32, u16, u16)> = None;
    loop {
        let id = b.get(at..at + 4).ok_or_else(|| bad("no data chunk"))?;
        let size = le32(b, at + 4).ok_or_else(|| bad("a chunk's size is cut off"))? as usize;
        let body = at + 8;
        match id {
            b"fmt " => {
                let field = |o: usize| le16(b, body + o).ok_or_else(|| bad("the fmt chunk is cut off"));
                let rate = le32(b, body + 4).ok_or_else(|| bad("the fmt chunk is cut off"))?;
                format = Some((field(0)?, field(2)?, rate, field(12)?, field(14)?));
            }
            b"data" => {
                let (encoding, channels, sample_rate, block_align, bits) =
                    format.ok_or_else(|| bad("the data chunk comes before the fmt chunk"))?;
                // PCM, IEEE float, or the extensible header that wraps them.
                if !matches!(encoding, 1 | 3 | 0xFFFE) {
                    return Err(bad(&format!("encoding {encoding} is neither PCM nor float")));
                }
                if !matches!(bits, 8 | 16 | 24 | 32)
                    || u32::from(block_align) != u32::from(channels) * u32::from(bits) / 8
                {
                    return Err(bad(&format!("{bits}-bit samples in blocks of {block_align} bytes do not agree")));
                }
                if body + size > b.len() {
                    return Err(bad(&format!("the data chunk claims {size} bytes, the file has {}", b.len() - body)));
                }
                let frames = size as f64 / f64::from(block_align.max(1));
                let seconds = frames / f64::from(sample_rate.max(1));
                return Ok(AudioHeader { format: Format::Wav, sample_rate, channels, seconds });
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        at = body.checked_add(size + (size & 1)).ok_or_else(|| bad("a chunk's size overflows"))?;
    }
}

/// FLAC: the signature, then the STREAMINFO block: rate (20 bits), channels
/// less one (3), bits per sample less one (5), total samples (36).
fn flac(b: &[u8]) -> Result<AudioHeader, ProfileError> {
    let bad = |why: &str| malformed("FLAC", why);
    let block = b.get(4..8).ok_or_else(|| bad("no metadata block"))?;
    if block[0] & 0x7F != 0 || u32::from_be_bytes([0, block[1], block[2], block[3]]) != 34 {
        return Err(bad("the first metadata block is not a STREAMINFO"));
    }
    let info = b.get(8..8 + 34).ok_or_else(|| bad("the STREAMINFO block is cut off"))?;
    let sample_rate = (u32::from(info[10]) << 12) | (u32::from(info[11]) << 4) | (u32::from(info[12]) >> 4);
    let channels = u16::from((info[12] >> 1) & 0x07) + 1;
    let samples =
        (u64::from(info[13] & 0x0F) << 32) | u64::from(u32::from_be_bytes([info[14], info[15], info[16], info[17]]));
    if samples == 0 {
        return Err(bad("it does not say how many samples it holds"));
    }
    let seconds = samples as f64 / f64::from(sample_rate.max(1));
    Ok(AudioHeader { format: Format::Flac, sample_rate, channels, seconds })
}

/// MP3: an optional ID3v2 tag, then the first MPEG audio frame's header, whose
/// bit rate gives the length of the rest of the file.
fn mp3(b: &[u8]) -> Result<AudioHeader, ProfileError> {
    let bad = |why: &str| malformed("MP3", why);
    let mut at = 0;
    if b.starts_with(b"ID3") {
        let size = b.get(6..10).ok_or_else(|| bad("the ID3 tag is cut off"))?;
        if size.iter().any(|&byte| byte & 0x80 != 0) {
            return Err(bad("the ID3 tag's size is not sync-safe"));
        }
        at = 10 + size.iter().fold(0usize, |n, &byte| (n << 7) | usize::from(byte));
    }
    let h = b.get(at..at + 4).ok_or_else(|| bad("no audio frame after the ID3 tag"))?;
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return Err(bad("no frame sync"));
    }
    // Version: 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5; layer: 1 = III.
    let (version, layer) = ((h[1] >> 3) & 0x03, (h[1] >> 1) & 0x03);
    if version == 1 || layer != 1 {
        return Err(bad("the frame is not MPEG layer III"));
    }
    const MPEG1: [u32; 15] = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    const MPEG2: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let kbps = *if version == 3 { &MPEG1 } else { &MPEG2 }
        .get(usize::from(h[2] >> 4))
        .filter(|&&k| k != 0)
        .ok_or_else(|| bad("the frame's bit rate is free or invalid"))?;
    let base =
        *[44_100u32, 48_000, 32_000].get(usize::from((h[2] >> 2) & 0x03)).ok_or_else(|| bad("no sample rate"))?;
    let sample_rate = match version {
        3 => base,
        2 => base / 2,
        _ => base / 4,
    };
    let channels = if h[3] >> 6 == 3 { 1 } else { 2 };
    let seconds = (b.len() - at) as f64 * 8.0 / (f64::from(kbps) * 1000.0);
    Ok(AudioHeader { format: Format::Mp3, sample_rate, channels, seconds })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAV header for `frames` frames of 16-bit audio, and the data.
    fn wav_file(rate: u32, channels: u16, frames: u32) -> Vec<u8> {
        let data = frames * u32::from(channels) * 2;
        let mut b = b"RIFF".to_vec();
        b.extend((36 + data).to_le_bytes());
        b.extend(b"WAVEfmt ");
        b.extend(16u32.to_le_bytes());
        b.extend(1u16.to_le_bytes());
        b.extend(channels.to_le_bytes());
        b.extend(rate.to_le_bytes());
        b.extend((rate * u32::from(channels) * 2).to_le_bytes());
        b.extend((channels * 2).to_le_bytes());
        b.extend(16u16.to_le_bytes());
        b.extend(b"data");
        b.extend(data.to_le_bytes());
        b.resize(b.len() + data as usize, 0);
        b
    }

    fn flac_file(rate: u32, channels: u8, samples: u64) -> Vec<u8> {
        let mut b = b"fLaC".to_vec();
        b.extend([0x80, 0, 0, 34]);
        let mut info = [0u8; 34];
        info[10] = (rate >> 12) as u8;
        info[11] = (rate >> 4) as u8;
        info[12] = ((rate & 0x0F) << 4) as u8 | ((channels - 1) << 1);
        info[13] = 0xF0 | ((samples >> 32) as u8 & 0x0F);
        info[14..18].copy_from_slice(&(samples as u32).to_be_bytes());
        b.extend(info);
        b
    }

    fn message(bytes: &[u8]) -> String {
        read_header(bytes, 600).expect_err("refused").message
    }

    #[test]
    fn reads_wav_flac_and_mp3_headers() {
        let wav = read_header(&wav_file(16_000, 1, 16_000), 600).unwrap();
        assert_eq!((wav.format, wav.sample_rate, wav.channels, wav.seconds), (Format::Wav, 16_000, 1, 1.0));
        let flac = read_header(&flac_file(44_100, 2, 441_000), 600).unwrap();
        assert_eq!((flac.format, flac.sample_rate, flac.channels, flac.seconds), (Format::Flac, 44_100, 2, 10.0));
        // An MPEG-1 layer III frame at 128 kbit/s, 44.1 kHz, mono, and 16,000 bytes: one second.
        let mut mp3 = vec![0xFF, 0xFB, 0x90, 0xC0];
        mp3.resize(16_000, 0);
        let header = read_header(&mp3, 600).unwrap();
        assert_eq!((header.format, header.sample_rate, header.channels, header.seconds), (Format::Mp3, 44_100, 1, 1.0));
    }

    #[test]
    fn refuses_what_would_be_dangerous_or_meaningless_to_decode() {
        assert!(message(b"").contains("empty"));
        assert!(message(b"OggS and other formats").contains("neither WAV, FLAC nor MP3"));
        assert!(message(&wav_file(4_000_000_000, 1, 1)).contains("samples a second"));
        assert!(message(&wav_file(16_000, 0, 1)).contains("0 channels"));
        assert!(message(&flac_file(16_000, 1, 0)).contains("how many samples"));
        assert!(message(&flac_file(16_000, 1, 16_000 * 3600)).contains("max audio length"));
        // A data chunk that claims more than the file holds: a huge claimed length.
        let mut huge = wav_file(16_000, 1, 10);
        let at = huge.len() - 20 - 4;
        huge[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(message(&huge).contains("claims"));
        for whole in [wav_file(16_000, 1, 4), flac_file(16_000, 1, 4)] {
            for cut in 1..whole.len() - 8 {
                assert!(read_header(&whole[..cut], 600).is_err(), "cut at {cut} passed");
            }
        }
        assert!(message(&[0xFF, 0xFB, 0xF0, 0xC0]).contains("bit rate"));
        assert!(message(b"ID3\x04\0\0\x7F\x7F\x7F\x7F").contains("no audio frame"));
    }
}
