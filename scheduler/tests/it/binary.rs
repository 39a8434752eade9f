//! The `fallwerk-scheduler` binary: `--once` on an embedded data directory (exit code and the
//! JSON tick line), refusal without a data directory, and the daemon's clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fallwerk_core::app::SystemClock;
use fallwerk_runtime::{Embedded, Settings, demo};

const BIN: &str = env!("CARGO_BIN_EXE_fallwerk-scheduler");

/// A data directory with the demo configuration.
async fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let embedded = Embedded::open(dir.path(), Settings::default(), Arc::new(SystemClock))
        .expect("open data dir");
    demo::ensure_demo(&embedded)
        .await
        .expect("demo config")
        .expect("fresh directory gets the demo");
    dir
}

fn scheduler(args: &[&str], data: Option<&Path>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env_remove("FALLWERK_BACKEND")
        .env_remove("FALLWERK_DATA")
        .env_remove("FALLWERK_SCHEDULER_CRON")
        .env_remove("FALLWERK_LOG_FORMAT")
        .env("RUST_LOG", "info");
    if let Some(dir) = data {
        cmd.arg("--data").arg(dir);
    }
    cmd
}

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn message(line: &serde_json::Value) -> &str {
    line.pointer("/fields/message")
        .and_then(|m| m.as_str())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn once_ticks_and_logs_one_json_line() {
    let dir = data_dir().await;
    let out = scheduler(
        &["--once", "--backend", "embedded", "--holder", "test-once"],
        Some(dir.path()),
    )
    .output()
    .expect("run scheduler");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&stdout);
    let ticks: Vec<_> = lines
        .iter()
        .filter(|l| message(l) == "scheduler tick")
        .collect();
    assert_eq!(ticks.len(), 1, "one tick line in {stdout}");
    let fields = &ticks[0]["fields"];
    assert_eq!(fields["leased"], true, "{stdout}");
    assert_eq!(fields["failed"], 0, "{stdout}");
    assert!(fields["duration_ms"].is_u64(), "{stdout}");
    assert_eq!(ticks[0]["level"], "INFO");
}

#[tokio::test(flavor = "multi_thread")]
async fn once_without_a_data_directory_exits_1() {
    let out = scheduler(&["--once", "--backend", "embedded"], None)
        .output()
        .expect("run scheduler");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("--data"),
        "names the missing option: {stdout}"
    );
}

#[test]
fn a_bad_cron_expression_exits_1_before_opening_anything() {
    let out = scheduler(&["--cron", "0 7 * * *"], Some(Path::new("/nonexistent/x")))
        .output()
        .expect("run scheduler");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("seconds first"));
}

#[test]
fn help_documents_options_and_environment() {
    let out = Command::new(BIN).arg("--help").output().expect("help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--once",
        "--lambda",
        "--cron",
        "--backend",
        "--data",
        "--holder",
        "--lease-seconds",
        "--log-format",
        "AWS_LAMBDA_RUNTIME_API",
        "FALLWERK_TABLE",
        "FALLWERK_DATA",
        "FALLWERK_SCHEDULER_CRON",
        "RUST_LOG",
    ] {
        assert!(help.contains(needle), "--help mentions {needle}");
    }
}

/// Reads the child's stdout lines on a thread.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(rx: &mpsc::Receiver<String>, what: &str, timeout: Duration) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            let done = line.contains(what);
            seen.push(line);
            if done {
                return seen;
            }
        }
    }
    panic!("no `{what}` within {timeout:?}; saw {seen:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn daemon_ticks_and_exits_cleanly_on_sigterm() {
    let dir = data_dir().await;
    let mut child = scheduler(
        &["--backend", "embedded", "--cron", "* * * * * *"],
        Some(dir.path()),
    )
    .stdout(Stdio::piped())
    .spawn()
    .expect("start daemon");
    let rx = lines_of(&mut child);
    wait_for(&rx, "scheduler daemon started", Duration::from_secs(10));
    wait_for(&rx, "scheduler tick", Duration::from_secs(5));

    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            panic!("daemon still running 5 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
    let rest: Vec<String> = rx.iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("SIGTERM")),
        "logs the signal: {rest:#?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("scheduler daemon stopped")),
        "{rest:#?}"
    );
}
