//! A model's multimodal projector (the `mmproj` GGUF), through llama.cpp's
//! multimodal library (mtmd): it turns image files into embeddings the text
//! model reads, and splits a prompt with media markers into text and image chunks.

use crate::error::{ErrorCode, ProfileError};
use crate::image;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::mtmd::{
    MtmdBitmap, MtmdContext, MtmdContextParams, MtmdInputChunkType, MtmdInputChunks, MtmdInputText,
};
use llama_cpp_2::token::LlamaToken;
use std::path::Path;
use std::sync::Mutex;

/// The projector of one loaded model, shared by its sessions. Encoding an image
/// needs the context exclusively, so sessions take turns for that part.
pub struct Vision {
    mtmd: Mutex<MtmdContext>,
}

/// Stands in the token history for a position an image fills: no real token
/// has it, so a later prompt's reuse of the cache stops before the image.
pub const IMAGE_POSITION: LlamaToken = LlamaToken(-1);

/// A prompt cut into text and image chunks, ready to evaluate.
pub struct Chunks {
    chunks: MtmdInputChunks,
}

impl Vision {
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
        if !mtmd.support_vision() {
            return Err(invalid_model(path, "the projector does not take images"));
        }
        Ok(Self { mtmd: Mutex::new(mtmd) })
    }

    /// Where an image goes in a prompt: one marker per image, in order.
    pub fn marker() -> &'static str {
        llama_cpp_2::mtmd::mtmd_default_marker()
    }

    /// Decodes `images` (PNG or JPEG files) and cuts `text` at its markers.
    pub fn tokenize(
        &self,
        text: &str,
        images: &[&[u8]],
        add_special: bool,
        parse_special: bool,
    ) -> Result<Chunks, ProfileError> {
        let markers = text.matches(Self::marker()).count();
        if markers != images.len() {
            return Err(ProfileError::invalid_input(format!(
                "the prompt has {markers} image markers but {} images came with it",
                images.len()
            )));
        }
        let mtmd = self.mtmd.lock().unwrap_or_else(|e| e.into_inner());
        let mut bitmaps = Vec::with_capacity(images.len());
        for (i, bytes) in images.iter().enumerate() {
            // Sizes first: a decoder would allocate whatever the header claims.
            image::read_header(bytes).map_err(|e| ProfileError::invalid_input(format!("image {i}: {}", e.message)))?;
            let bitmap = MtmdBitmap::from_buffer(&mtmd, bytes, false).map_err(|_| {
                ProfileError::invalid_input(format!("image {i} could not be decoded (a damaged PNG or JPEG?)"))
            })?;
            bitmaps.push(bitmap);
        }
        let refs: Vec<&MtmdBitmap> = bitmaps.iter().collect();
        let input = MtmdInputText { text: text.to_string(), add_special, parse_special };
        let chunks = mtmd
            .tokenize(input, &refs)
            .map_err(|e| ProfileError::invalid_input(format!("the images could not be prepared: {e}")))?;
        Ok(Chunks { chunks })
    }

    /// Evaluates `chunks` into `ctx` from position `n_past`; returns the next position.
    pub fn evaluate(
        &self,
        chunks: &Chunks,
        ctx: &mut LlamaContext<'static>,
        n_past: i32,
        n_batch: i32,
    ) -> Result<i32, ProfileError> {
        let mut mtmd = self.mtmd.lock().unwrap_or_else(|e| e.into_inner());
        chunks
            .chunks
            .eval_chunks(&mut mtmd, ctx, n_past, 0, n_batch, true)
            .map_err(|e| ProfileError::backend(format!("llama.cpp failed to evaluate the prompt and its images: {e}")))
    }
}

impl Chunks {
    /// The prompt's text tokens, in order (image chunks have none).
    pub fn text_tokens(&self) -> Vec<LlamaToken> {
        (0..self.chunks.len())
            .filter_map(|i| self.chunks.get(i))
            .flat_map(|c| c.text_tokens().map(<[_]>::to_vec).unwrap_or_default())
            .collect()
    }

    /// Every token, text and image.
    pub fn total_tokens(&self) -> usize {
        self.chunks.total_tokens()
    }

    /// What the KV cache holds once the chunks are evaluated, position by
    /// position: text tokens, and [`IMAGE_POSITION`] where an image sits.
    pub fn history(&self) -> Vec<LlamaToken> {
        let mut history = Vec::with_capacity(self.total_positions());
        for chunk in (0..self.chunks.len()).filter_map(|i| self.chunks.get(i)) {
            match chunk.chunk_type() {
                MtmdInputChunkType::Text => history.extend_from_slice(chunk.text_tokens().unwrap_or_default()),
                _ => history.extend(std::iter::repeat_n(IMAGE_POSITION, chunk.n_positions().max(0) as usize)),
            }
        }
        history
    }

    /// The positions the chunks take in the context.
    pub fn total_positions(&self) -> usize {
        self.chunks.total_positions().max(0) as usize
    }
}

fn invalid_model(path: &Path, why: &str) -> ProfileError {
    ProfileError::new(ErrorCode::InvalidModel, format!("the projector {}: {why}", path.display()))
}
