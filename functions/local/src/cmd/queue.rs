//! `fallwerk queue`: the embedded queue's dead letters for operators — list them, put them back.
//! (On AWS the dead-letter queues are SQS queues; infra/README.md shows how to redrive them.)

use std::path::PathBuf;
use std::sync::Arc;

use fallwerk_core::app::SystemClock;
use fallwerk_events::QueueName;
use fallwerk_runtime::{Embedded, Settings};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Queue {
    Messaging,
    Export,
}

impl From<Queue> for QueueName {
    fn from(q: Queue) -> Self {
        match q {
            Queue::Messaging => QueueName::Messaging,
            Queue::Export => QueueName::Export,
        }
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// List the dead letters of a queue (id, message id, receives, last error).
    DeadLetters {
        #[arg(long, value_enum)]
        queue: Queue,
        #[arg(long, default_value = "fallwerk-data", env = "FALLWERK_DATA")]
        data: PathBuf,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Put dead letters back on their queue: one by id, or all of a queue.
    Redrive {
        #[arg(long, value_enum)]
        queue: Queue,
        #[arg(long, default_value = "fallwerk-data", env = "FALLWERK_DATA")]
        data: PathBuf,
        /// The dead letter's id; without it, all of the queue.
        #[arg(long)]
        id: Option<i64>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Wiring(#[from] fallwerk_runtime::WiringError),
    #[error(transparent)]
    Store(#[from] fallwerk_core::ports::StoreError),
}

fn open(data: &std::path::Path) -> Result<Embedded, QueueError> {
    let settings = Settings::from_env().map_err(fallwerk_runtime::WiringError::from)?;
    Ok(Embedded::open(data, settings, Arc::new(SystemClock))?)
}

pub async fn run(command: &Command) -> Result<(), QueueError> {
    match command {
        Command::DeadLetters { queue, data, json } => {
            let embedded = open(data)?;
            let letters = embedded.queue.dead_letters((*queue).into()).await?;
            for d in &letters {
                if *json {
                    let line = serde_json::json!({
                        "id": d.id, "message_id": d.message_id, "receive_count": d.receive_count,
                        "last_error": d.last_error, "created_at": d.created_at,
                    });
                    println!("{line}");
                } else {
                    println!(
                        "{}\t{}\t{} receives\t{}",
                        d.id,
                        d.message_id,
                        d.receive_count,
                        d.last_error.as_deref().unwrap_or("-")
                    );
                }
            }
            if !*json && letters.is_empty() {
                println!("no dead letters");
            }
            Ok(())
        }
        Command::Redrive { queue, data, id } => {
            let embedded = open(data)?;
            let n = match id {
                Some(id) => {
                    embedded.queue.redrive(*id).await?;
                    1
                }
                None => embedded.queue.redrive_all((*queue).into()).await?,
            };
            println!("{n} message(s) back on the queue");
            Ok(())
        }
    }
}
