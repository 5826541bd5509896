//! `inf-wasi run "prompt"`: stream one answer.

use crate::cli::RunArgs;
use crate::from_flags;
use crate::output::Result;
use crate::print_stream::Timer;
use inf_wasi::Message;

pub fn run(args: RunArgs) -> Result {
    let options = from_flags::generate_options(&args.sampling)?;
    let (engine, model) = from_flags::engine(&args.model, true)?;
    let mut session = engine.session_with(&model, &from_flags::session_options(&args.model, args.system.as_deref()))?;
    let timer = Timer::start();
    let stream = if args.raw {
        session.stream(&args.prompt, &options)?
    } else {
        session.chat_stream(&[Message::user(args.prompt.clone())], &options)?
    };
    crate::print_stream::print_stream(timer, stream, args.model.verbose)
}
