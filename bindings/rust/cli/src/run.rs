//! `inf-wasi run "prompt"`: stream one answer.

use crate::cli::RunArgs;
use crate::from_flags;
use crate::output::Result;
use crate::print_stream::Timer;
use inf_wasi::{ContentPart, Message};

pub fn run(args: RunArgs) -> Result {
    let options = from_flags::generate_options(&args.sampling)?;
    let media = media(&args)?;
    let (engine, model) = from_flags::engine_with_projector(&args.model, args.mmproj.as_deref(), true)?;
    let mut session = engine.session_with(&model, &from_flags::session_options(&args.model, args.system.as_deref()))?;
    let timer = Timer::start();
    let stream = if args.raw {
        session.stream(&args.prompt, &options)?
    } else {
        session.chat_stream(&[Message::user_with_parts(args.prompt.clone(), media)], &options)?
    };
    crate::print_stream::print_stream(timer, stream, args.model.verbose)
}

/// The --image and --audio files, read before the model loads (images first,
/// then audio, each in the order given).
fn media(args: &RunArgs) -> Result<Vec<ContentPart>> {
    if args.raw && !(args.image.is_empty() && args.audio.is_empty()) {
        return Err("--raw completes text only: --image and --audio go with a chat message".into());
    }
    let images = args.image.iter().map(ContentPart::image_file);
    let audio = args.audio.iter().map(ContentPart::audio_file);
    Ok(images.chain(audio).collect::<inf_wasi::Result<_>>()?)
}
