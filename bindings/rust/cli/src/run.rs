//! `inf-wasi run "prompt"`: stream one answer.

use crate::cli::RunArgs;
use crate::output::Result;
use crate::setup::{self, MODEL};
use inf_wasi::Message;

pub fn run(args: RunArgs) -> Result {
    let options = setup::generate_options(&args.sampling)?;
    let engine = setup::engine(&args.model, true)?;
    let mut session = engine.session_with(MODEL, &setup::session_options(&args.model, args.system.as_deref()))?;
    let stream = if args.raw {
        session.stream(&args.prompt, &options)?
    } else {
        session.chat_stream(&[Message::user(args.prompt.clone())], &options)?
    };
    setup::print_stream(stream, args.model.verbose)
}
