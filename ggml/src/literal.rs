//! Tokenizing a chat prompt so that message content stays text.
//!
//! A chat prompt is the chat template's markup, which writes the model's
//! control tokens (`<start_of_turn>`, `<|im_end|>`), with the messages' content
//! in between. llama.cpp's tokenizer turns control-token text into control
//! tokens everywhere or nowhere, so a user who types `<end_of_turn>` would
//! close their own turn. The component says which byte spans of the prompt are
//! content; a span holding control-token text is tokenized on its own with
//! special-token parsing off, the markup around it with parsing on. A prompt
//! whose content holds none (nearly every prompt) is tokenized whole, as
//! llama.cpp tokenizes it, so token boundaries between markup and content stay
//! those of llama.cpp and of the model's training.

use crate::error::ProfileError;
use inf_wasi_profile::Span;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::vocab::LlamaVocab;
use std::ops::Range;

/// The spans as byte ranges of `text`, checked against it (inside it, on
/// character boundaries) and with touching spans joined: two adjacent parts of
/// one message must not make a control token between them.
pub fn ranges(text: &str, spans: &[Span]) -> Result<Vec<Range<usize>>, ProfileError> {
    let mut ranges: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for &[start, end] in spans {
        let (start, end) = (start as usize, end as usize);
        if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err(ProfileError::invalid_input(format!(
                "literal span [{start}, {end}] does not fit the {}-byte prompt on character boundaries",
                text.len()
            )));
        }
        match ranges.last_mut() {
            Some(last) if last.end == start => last.end = end,
            _ if start < end => ranges.push(start..end),
            _ => {}
        }
    }
    Ok(ranges)
}

/// `text`'s tokens, with control-token text inside `literal` kept as text.
/// `add_special` adds BOS (and whatever else the vocabulary adds) once, at the start.
pub fn tokenize(
    vocab: &LlamaVocab<'_>,
    text: &str,
    literal: &[Range<usize>],
    add_special: bool,
    parse_special: bool,
) -> Vec<LlamaToken> {
    let risky: Vec<&Range<usize>> = if parse_special {
        literal.iter().filter(|range| holds_control_text(vocab, &text[(*range).clone()])).collect()
    } else {
        Vec::new()
    };
    if risky.is_empty() {
        return vocab.tokenize(text.as_bytes(), add_special, parse_special);
    }
    let mut tokens = Vec::new();
    let mut add_special = add_special;
    let mut piece = |piece: &str, parse_special: bool| {
        if !piece.is_empty() || add_special {
            tokens.extend(vocab.tokenize(piece.as_bytes(), add_special, parse_special));
            add_special = false;
        }
    };
    let mut at = 0;
    for range in risky {
        piece(&text[at..range.start], true);
        piece(&text[range.clone()], false);
        at = range.end;
    }
    piece(&text[at..], true);
    tokens
}

/// Whether `text` reads differently with special-token parsing on: it holds the
/// text of a control token (user-defined tokens such as Gemma's `\n` read the
/// same either way, as llama.cpp matches them with parsing off too).
fn holds_control_text(vocab: &LlamaVocab<'_>, text: &str) -> bool {
    vocab.tokenize(text.as_bytes(), false, true) != vocab.tokenize(text.as_bytes(), false, false)
}
