//! `inf-wasi chat`: an interactive conversation. The session keeps the history
//! and its KV cache, so each turn evaluates only the new message.

use crate::cli::ChatArgs;
use crate::from_flags;
use crate::output::{error_line, note, paint, Result};
use inf_wasi::Message;
use std::io::{BufRead, IsTerminal, Write};

pub fn chat(args: ChatArgs) -> Result {
    let options = from_flags::generate_options(&args.sampling)?;
    let (engine, model) = from_flags::engine(&args.model, true)?;
    let mut session = engine.session_with(&model, &from_flags::session_options(&args.model, args.system.as_deref()))?;
    let interactive = std::io::stdin().is_terminal();
    let colour = interactive && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if interactive {
        note("chat with the model; /reset starts over, Ctrl-D exits");
    }
    let mut lines = std::io::stdin().lock().lines();
    loop {
        if interactive {
            print!("{}", paint("> ", "1;32", colour));
            std::io::stdout().flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        let line = line.trim();
        match line {
            "" => continue,
            "/reset" => {
                session.reset()?;
                note("(conversation reset)");
                continue;
            }
            "/exit" | "/quit" => break,
            _ => {}
        }
        let timer = crate::print_stream::Timer::start();
        let turn = session
            .chat_stream(&[Message::user(line)], &options)
            .map_err(Into::into)
            .and_then(|stream| crate::print_stream::print_stream(timer, stream, args.model.verbose));
        match turn {
            // At a keyboard a failed turn (say, a full context) is reported and the chat goes on.
            Err(e) if interactive => error_line(&format!("{e} (/reset starts a new conversation)")),
            other => other?,
        }
    }
    if interactive {
        println!();
    }
    Ok(())
}
