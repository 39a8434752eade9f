//! `fallwerk`: the whole system as one local process, plus the operator's command-line tools.

mod background;
mod cmd;
mod consumers;
mod listener;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A submission moves several 200 KB+ buffers (body, decoded attachment, JSON strings) through
/// the process; glibc's allocator spent a tenth of `serve`'s CPU on them (docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "fallwerk",
    version,
    about = "Fallmanagement für Anträge aus dem Serviceportal"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run everything in one process on embedded storage (HTTP, queue consumers, scheduler).
    Serve(cmd::serve::Args),
    /// Mint a caseworker token signed with the data directory's local secret.
    Token(cmd::token::Args),
    /// Maintain org units, services and portal clients.
    #[command(subcommand)]
    Admin(cmd::admin::Command),
    /// Maintain the user directory: add, list, deactivate, set a local password.
    #[command(subcommand)]
    User(cmd::user::Command),
    /// The embedded queue's dead letters: list and redrive.
    #[command(subcommand)]
    Queue(cmd::queue::Command),
    /// Create table, bucket and queues on a development AWS endpoint; prints the environment.
    InitAws(cmd::init_aws::Args),
    /// Compute a legal deadline (§31 VwVfG, §§187–193 BGB) and explain how it was reached.
    Deadline(cmd::deadline::Args),
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    fallwerk_runtime::init_logging(fallwerk_runtime::LogFormat::Text);
    let result: Result<(), String> = match cli.command {
        Command::Deadline(args) => cmd::deadline::run(&args).map_err(|e| e.to_string()),
        Command::Token(args) => cmd::token::run(&args).map_err(|e| e.to_string()),
        Command::Admin(command) => runtime().map_err(|e| e.to_string()).and_then(|rt| {
            rt.block_on(cmd::admin::run(&command))
                .map_err(|e| e.to_string())
        }),
        Command::User(command) => runtime().map_err(|e| e.to_string()).and_then(|rt| {
            rt.block_on(cmd::user::run(&command))
                .map_err(|e| e.to_string())
        }),
        Command::Queue(command) => runtime().map_err(|e| e.to_string()).and_then(|rt| {
            rt.block_on(cmd::queue::run(&command))
                .map_err(|e| e.to_string())
        }),
        Command::InitAws(args) => runtime().map_err(|e| e.to_string()).and_then(|rt| {
            rt.block_on(cmd::init_aws::run(&args))
                .map_err(|e| e.to_string())
        }),
        Command::Serve(args) => runtime().map_err(|e| e.to_string()).and_then(|rt| {
            rt.block_on(cmd::serve::run(&args))
                .map_err(|e| e.to_string())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fallwerk: {e}");
            ExitCode::from(2)
        }
    }
}
