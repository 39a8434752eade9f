//! `fallwerk`: the whole system as one local process, plus the operator's command-line tools.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "fallwerk", version, about = "Fallmanagement für Anträge aus dem Serviceportal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compute a legal deadline (§31 VwVfG, §§187–193 BGB) and explain how it was reached.
    Deadline(cmd::deadline::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Deadline(args) => cmd::deadline::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fallwerk: {e}");
            ExitCode::from(2)
        }
    }
}
