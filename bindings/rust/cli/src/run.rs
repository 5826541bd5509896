//! `inf-wasi run "prompt"`: stream one answer.

use crate::cli::RunArgs;
use crate::output::{write_piece, Result};
use crate::setup::{self, Timer, MODEL};
use inf_wasi::Message;

pub fn run(args: RunArgs) -> Result {
    let options = setup::generate_options(&args.sampling)?;
    let engine = setup::engine(&args.model, true)?;
    let mut session = engine.session_with(MODEL, &setup::session_options(&args.model, args.system.as_deref()))?;
    let mut timer = Timer::start();
    let mut stream = if args.raw {
        session.stream(&args.prompt, &options)?
    } else {
        session.chat_stream(&[Message::user(args.prompt.clone())], &options)?
    };
    for piece in &mut stream {
        let piece = piece?;
        timer.piece();
        write_piece(&piece)?;
    }
    write_piece("\n")?;
    if args.model.verbose {
        timer.report(stream.completion());
    }
    Ok(())
}
