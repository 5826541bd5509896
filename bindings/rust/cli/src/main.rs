//! `inf-wasi`: run, chat with and embed through local models, every request
//! going through the sandboxed component. Errors are one line and a non-zero
//! exit code, never a panic or a backtrace.

mod chat;
mod cli;
mod embed;
mod fetch;
mod from_flags;
mod model_store;
mod output;
mod pack;
mod plugin;
mod print_stream;
mod run;
mod serve;

use clap::Parser;
use cli::{Cli, Command, ModelsCommand, PluginCommand};
use std::process::ExitCode;

fn main() -> ExitCode {
    output::install_panic_hook();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Chat(args) => chat::chat(args),
        Command::Embed(args) => embed::embed(args),
        Command::Serve(args) => serve::serve(args),
        Command::Pack(args) => pack::pack(args),
        Command::Plugin { command: PluginCommand::Run(args) } => plugin::run(args),
        Command::Models { command: ModelsCommand::Pull { name } } => model_store::pull(name.as_deref()).map(|_| ()),
        Command::Models { command: ModelsCommand::List } => model_store::list(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output::error_line(&error);
            ExitCode::FAILURE
        }
    }
}
