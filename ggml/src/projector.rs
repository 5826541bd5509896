//! A model's multimodal projector (the `mmproj` GGUF), through llama.cpp's
//! multimodal library (mtmd): it turns image and audio files into embeddings
//! the text model reads, and evaluates a prompt's text and media in order.

use crate::error::{ErrorCode, ProfileError};
use crate::{audio, image};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::mtmd::{
    MtmdBitmap, MtmdContext, MtmdContextParams, MtmdInputChunkType, MtmdInputChunks, MtmdInputText,
};
use llama_cpp_2::token::LlamaToken;
use std::path::Path;
use std::sync::Mutex;

/// The projector of one loaded model, shared by its sessions. Encoding a
/// medium needs the context exclusively, so sessions take turns for that part.
pub struct Projector {
    mtmd: Mutex<MtmdContext>,
    /// What it takes: images, audio, or both.
    pub vision: bool,
    pub audio: bool,
}

/// One medium of a prompt, as it came (`image.N` or `audio.N`).
#[derive(Clone, Copy)]
pub enum Medium<'a> {
    Image(&'a [u8]),
    Audio(&'a [u8]),
}

/// Stands in the token history for a position an image or audio fills: no real
/// token has it, so a later prompt's reuse of the cache stops before the medium.
pub const MEDIA_POSITION: LlamaToken = LlamaToken(-1);

/// A prompt cut into text and media, in prompt order, ready to evaluate. The
/// text is tokenized by the backend (message content kept as text); each medium
/// comes with whatever tokens the projector wraps it in (Gemma's `<start_of_image>`).
#[derive(Default)]
pub struct Chunks {
    pieces: Vec<Piece>,
}

enum Piece {
    Text(Vec<LlamaToken>),
    /// A medium's chunks, and the SHA-256 of the file they came from: what
    /// tells a later prompt that the cache already holds this medium.
    Media(MtmdInputChunks, MediumHash),
}

/// The SHA-256 of a medium's kind and bytes.
pub type MediumHash = [u8; 32];

/// Where a medium sits in a sequence's cache, and which it is: a session keeps
/// these beside its token history, whose positions there are [`MEDIA_POSITION`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediumSpan {
    pub start: usize,
    pub positions: usize,
    pub hash: MediumHash,
}

impl Medium<'_> {
    /// The medium's identity in the cache: its kind and bytes, hashed.
    pub fn hash(&self) -> MediumHash {
        use sha2::{Digest, Sha256};
        let (kind, bytes): (&[u8], &[u8]) = match self {
            Medium::Image(bytes) => (b"image\0", bytes),
            Medium::Audio(bytes) => (b"audio\0", bytes),
        };
        let mut hasher = Sha256::new();
        hasher.update(kind);
        hasher.update(bytes);
        hasher.finalize().into()
    }
}

impl Projector {
    /// Loads the projector at `path` for `model` (which must outlive it).
    pub fn load(path: &Path, model: &LlamaModel, threads: u32) -> Result<Self, ProfileError> {
        crate::gguf_check::check(path)?;
        let params = MtmdContextParams {
            use_gpu: false,
            print_timings: false,
            n_threads: threads as i32,
            ..MtmdContextParams::default()
        };
        let path_text = path.to_str().ok_or_else(|| invalid_model(path, "the path is not UTF-8"))?;
        let mtmd = MtmdContext::init_from_file(path_text, model, &params)
            .map_err(|e| invalid_model(path, &format!("llama.cpp's multimodal library refused it ({e})")))?;
        let (vision, audio) = (mtmd.support_vision(), mtmd.support_audio());
        if !vision && !audio {
            return Err(invalid_model(path, "the projector takes neither images nor audio"));
        }
        Ok(Self { mtmd: Mutex::new(mtmd), vision, audio })
    }

    /// The projector's media marker: what stands for an image or audio in the text a
    /// chat template renders (the metadata's `media_marker`).
    pub fn marker() -> &'static str {
        llama_cpp_2::mtmd::mtmd_default_marker()
    }

    /// Decodes medium `index` into the chunks that stand for it in a prompt:
    /// the projector's media marker alone, tokenized by mtmd. Its header is read
    /// first (a decoder would allocate whatever it claims); audio may last at
    /// most `max_audio_seconds`.
    pub fn medium(
        &self,
        index: usize,
        medium: Medium,
        max_audio_seconds: u32,
    ) -> Result<MtmdInputChunks, ProfileError> {
        let (what, bytes) = match medium {
            Medium::Image(bytes) => {
                if !self.vision {
                    return Err(unsupported("this model's projector takes audio, not images"));
                }
                image::read_header(bytes)
                    .map_err(|e| ProfileError::invalid_input(format!("image {index}: {}", e.message)))?;
                ("image", bytes)
            }
            Medium::Audio(bytes) => {
                if !self.audio {
                    return Err(unsupported("this model's projector takes images, not audio"));
                }
                audio::read_header(bytes, max_audio_seconds)
                    .map_err(|e| ProfileError::invalid_input(format!("audio {index}: {}", e.message)))?;
                ("audio", bytes)
            }
        };
        let mtmd = self.mtmd.lock().unwrap_or_else(|e| e.into_inner());
        let bitmap = MtmdBitmap::from_buffer(&mtmd, bytes, false).map_err(|_| {
            ProfileError::invalid_input(format!("{what} {index} could not be decoded (a damaged file?)"))
        })?;
        let input = MtmdInputText { text: Self::marker().to_string(), add_special: false, parse_special: true };
        mtmd.tokenize(input, &[&bitmap])
            .map_err(|e| ProfileError::invalid_input(format!("{what} {index} could not be prepared: {e}")))
    }

    /// Evaluates `chunks` into sequence `seq` of `ctx`, with logits for the last
    /// position. The cache already holds the first `cached` positions (a whole
    /// text prefix, or up to a medium's end: [`Chunks::reusable`]), which are skipped.
    pub fn evaluate(
        &self,
        chunks: &Chunks,
        ctx: &mut LlamaContext<'static>,
        seq: i32,
        n_batch: usize,
        cached: usize,
    ) -> Result<(), ProfileError> {
        let failed = |e: &dyn std::fmt::Display| {
            ProfileError::backend(format!("llama.cpp failed to evaluate the prompt and its media: {e}"))
        };
        let mut n_past: i32 = 0;
        let last = chunks.pieces.len().saturating_sub(1);
        for (index, piece) in chunks.pieces.iter().enumerate() {
            let positions = piece.positions();
            if n_past as usize + positions <= cached {
                n_past += positions as i32;
                continue;
            }
            match piece {
                Piece::Text(tokens) => {
                    let skip = cached.saturating_sub(n_past as usize);
                    let mut batch = LlamaBatch::new(n_batch, 1);
                    for (chunk_index, chunk) in tokens[skip..].chunks(n_batch).enumerate() {
                        batch.clear();
                        for (i, token) in chunk.iter().enumerate() {
                            let at = skip + chunk_index * n_batch + i;
                            let logits = index == last && at == tokens.len() - 1;
                            batch.add(*token, n_past + at as i32, &[seq], logits).map_err(|e| failed(&e))?;
                        }
                        ctx.decode(&mut batch).map_err(|e| failed(&e))?;
                    }
                    n_past += tokens.len() as i32;
                }
                Piece::Media(medium, _) => {
                    let mut mtmd = self.mtmd.lock().unwrap_or_else(|e| e.into_inner());
                    n_past = medium
                        .eval_chunks(&mut mtmd, ctx, n_past, seq, n_batch as i32, index == last)
                        .map_err(|e| failed(&e))?;
                }
            }
        }
        Ok(())
    }
}

impl Chunks {
    /// Adds text tokens (none: nothing is added).
    pub fn push_text(&mut self, tokens: Vec<LlamaToken>) {
        if !tokens.is_empty() {
            self.pieces.push(Piece::Text(tokens));
        }
    }

    /// Adds an image or audio clip, as [`Projector::medium`] made it from the
    /// file whose [`Medium::hash`] is `hash`.
    pub fn push_medium(&mut self, medium: MtmdInputChunks, hash: MediumHash) {
        self.pieces.push(Piece::Media(medium, hash));
    }

    /// The prompt in order: text tokens, and each medium's chunks (the tokens
    /// around a medium are text too).
    fn each(&self, mut visit: impl FnMut(Seen<'_>)) {
        for piece in &self.pieces {
            piece.each(&mut visit);
        }
    }

    /// How many of the prompt's first positions a sequence whose cache holds
    /// `history`, with media at `spans`, already has: the common text prefix,
    /// and each medium whole when the same file sits at the same place. Short
    /// of the prompt's end, whose last position is evaluated again for its
    /// logits (a prompt that ends with a medium evaluates that medium again).
    pub fn reusable(&self, history: &[LlamaToken], spans: &[MediumSpan]) -> usize {
        let mut at = 0;
        for piece in &self.pieces {
            match piece {
                Piece::Text(tokens) => {
                    let same = history.get(at..).unwrap_or_default().iter().zip(tokens).take_while(|(a, b)| a == b);
                    let same = same.count();
                    at += same;
                    if same < tokens.len() {
                        break;
                    }
                }
                Piece::Media(_, hash) => {
                    // The same file, at the same place, and the cache still holding it there
                    // (a text prompt may have cut the history short since).
                    let own = piece.history();
                    let span = MediumSpan { start: at, positions: own.len(), hash: *hash };
                    if history.get(at..at + own.len()) != Some(own.as_slice()) || !spans.contains(&span) {
                        break;
                    }
                    at += own.len();
                }
            }
        }
        // The last position must be evaluated, whatever the cache holds.
        let end = match self.pieces.last() {
            Some(Piece::Text(_)) => self.total_positions().saturating_sub(1),
            Some(last @ Piece::Media(..)) => self.total_positions() - last.positions(),
            None => 0,
        };
        at.min(end)
    }

    /// The prompt tokens within its first `positions` (a medium's tokens and its
    /// positions may differ in number): what a reused prefix saved.
    pub fn tokens_within(&self, positions: usize) -> usize {
        let (mut at, mut tokens) = (0, 0);
        self.each(|seen| {
            let n = seen.positions();
            if at + n <= positions {
                tokens += seen.tokens();
            } else if at < positions {
                tokens += positions - at; // a text prefix: a token per position
            }
            at += n;
        });
        tokens
    }

    /// Where each medium sits once the chunks are evaluated (see [`Chunks::history`]).
    pub fn spans(&self) -> Vec<MediumSpan> {
        let (mut at, mut spans) = (0, Vec::new());
        for piece in &self.pieces {
            if let Piece::Media(_, hash) = piece {
                spans.push(MediumSpan { start: at, positions: piece.positions(), hash: *hash });
            }
            at += piece.positions();
        }
        spans
    }

    /// The prompt's text tokens, in order (media have none).
    pub fn text_tokens(&self) -> Vec<LlamaToken> {
        let mut tokens = Vec::new();
        self.each(|seen| {
            if let Seen::Text(text) = seen {
                tokens.extend_from_slice(text);
            }
        });
        tokens
    }

    /// Every token, text and media.
    pub fn total_tokens(&self) -> usize {
        let mut total = 0;
        self.each(|seen| total += seen.tokens());
        total
    }

    /// What the KV cache holds once the chunks are evaluated, position by
    /// position: text tokens, and [`MEDIA_POSITION`] where a medium sits.
    pub fn history(&self) -> Vec<LlamaToken> {
        self.pieces.iter().flat_map(Piece::history).collect()
    }

    /// The positions the chunks take in the context.
    pub fn total_positions(&self) -> usize {
        let mut total = 0;
        self.each(|seen| total += seen.positions());
        total
    }
}

impl Piece {
    /// The piece in order: text tokens, and a medium's chunks (the tokens
    /// around a medium are text too).
    fn each(&self, visit: &mut impl FnMut(Seen<'_>)) {
        match self {
            Piece::Text(tokens) => visit(Seen::Text(tokens)),
            Piece::Media(chunks, _) => {
                for chunk in (0..chunks.len()).filter_map(|i| chunks.get(i)) {
                    match chunk.text_tokens().filter(|_| chunk.chunk_type() == MtmdInputChunkType::Text) {
                        Some(tokens) => visit(Seen::Text(tokens)),
                        None => visit(Seen::Media { tokens: chunk.n_tokens(), positions: chunk.n_positions() }),
                    }
                }
            }
        }
    }

    /// What the KV cache holds of the piece once it is evaluated (see [`Chunks::history`]).
    fn history(&self) -> Vec<LlamaToken> {
        let mut history = Vec::new();
        self.each(&mut |seen| match seen {
            Seen::Text(text) => history.extend_from_slice(text),
            Seen::Media { .. } => history.extend(std::iter::repeat_n(MEDIA_POSITION, seen.positions())),
        });
        history
    }

    /// The positions the piece takes in the context.
    fn positions(&self) -> usize {
        let mut total = 0;
        self.each(&mut |seen| total += seen.positions());
        total
    }
}

/// One part of a prompt as [`Chunks::each`] walks it.
enum Seen<'a> {
    Text(&'a [LlamaToken]),
    Media { tokens: usize, positions: i32 },
}

impl Seen<'_> {
    fn tokens(&self) -> usize {
        match self {
            Seen::Text(text) => text.len(),
            Seen::Media { tokens, .. } => *tokens,
        }
    }

    fn positions(&self) -> usize {
        match self {
            Seen::Text(text) => text.len(),
            Seen::Media { positions, .. } => (*positions).max(0) as usize,
        }
    }
}

fn unsupported(why: &str) -> ProfileError {
    ProfileError::new(ErrorCode::Unsupported, why.to_string())
}

fn invalid_model(path: &Path, why: &str) -> ProfileError {
    ProfileError::new(ErrorCode::InvalidModel, format!("the projector {}: {why}", path.display()))
}
