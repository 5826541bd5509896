//! What the user sees: colour only on a terminal (and not under `NO_COLOR`),
//! one line per error, and no panic message or backtrace, ever.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn colour(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none()
}

pub fn stderr_colour() -> bool {
    colour(std::io::stderr().is_terminal())
}

pub fn paint(text: impl Display, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn error_line(error: &dyn Display) {
    let label = paint("error:", "1;31", stderr_colour());
    // Messages are single lines; collapse any that are not.
    let message = error.to_string().replace('\n', " ");
    let _ = writeln!(std::io::stderr(), "{label} {message}");
}

pub fn note(text: impl Display) {
    let _ = writeln!(std::io::stderr(), "{}", paint(text, "2", stderr_colour()));
}

/// A bug must still end as one clear line and a distinct exit code.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        error_line(&format!("internal error (please report it): {message}"));
        std::process::exit(70);
    }));
}

/// Writes a streamed piece and flushes, so tokens appear as they arrive.
/// A closed pipe (`| head`) ends the program quietly.
pub fn write_piece(piece: &str) -> Result {
    let mut out = std::io::stdout().lock();
    match out.write_all(piece.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}
