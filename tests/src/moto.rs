//! The suite's own moto server (SQS, SES, S3). Not the shared one of `scripts/emulators.sh`:
//! moto's `/moto-api/data.json` — the only way to read what SES sent — answers 500 forever
//! once any Lambda function was created on a moto server (infra/check.sh does that on the
//! shared one), so the suite starts a fresh moto on a free port and stops it at the end.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{ChildGuard, free_port};

/// A moto server started by the suite; stopped when dropped.
pub struct Moto {
    pub endpoint: String,
    _process: ChildGuard,
}

/// Whether `python3 -m moto.server` can run here.
pub fn available() -> Result<(), String> {
    let ok = Command::new("python3")
        .args(["-c", "import moto.server"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        Ok(())
    } else {
        Err("python3 cannot import moto.server (scripts/emulators.sh start installs it)".into())
    }
}

impl Moto {
    /// Starts `python3 -m moto.server -H 127.0.0.1 -p <free port>`, logging to `dir/moto.log`,
    /// and waits (up to 60 s) until `GET /moto-api/` answers 200.
    pub async fn start(dir: &Path) -> Moto {
        let port = free_port();
        let log_path = dir.join("moto.log");
        let log = std::fs::File::create(&log_path).expect("moto log");
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start python3 -m moto.server");
        let mut process = ChildGuard::new(child, "moto", &log_path);
        let endpoint = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ready = http
                .get(format!("{endpoint}/moto-api/"))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                break;
            }
            if let Some(status) = process.exited() {
                panic!(
                    "moto exited ({status}) before answering:\n{}",
                    process.log_tail(30)
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto did not answer within 60 s:\n{}",
                process.log_tail(30)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!(
            "[e2e] own moto server at {endpoint} (pid {}, ready in {:.1} s)",
            process.id(),
            started.elapsed().as_secs_f64()
        );
        Moto {
            endpoint,
            _process: process,
        }
    }
}
