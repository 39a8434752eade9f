//! Child processes of the suite (`fallwerk serve`, moto): stopped when their guard drops —
//! SIGTERM first (serve finishes running work), SIGKILL after 10 s — pass or fail.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A running child process, ended on drop.
pub struct ChildGuard {
    child: Child,
    name: String,
    log: PathBuf,
}

impl ChildGuard {
    pub fn new(child: Child, name: impl Into<String>, log: &Path) -> Self {
        ChildGuard {
            child,
            name: name.into(),
            log: log.to_path_buf(),
        }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// `Some(status)` when the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last `lines` lines of the process's log (for failure messages).
    pub fn log_tail(&self, lines: usize) -> String {
        log_tail(&self.log, lines)
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// SIGKILL at once (a crash: nothing is drained or flushed), then reaped.
    pub fn kill(&mut self) {
        if self.exited().is_some() {
            return;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, wait up to 10 s, then SIGKILL.
    pub fn stop(&mut self) {
        if self.exited().is_some() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if self.exited().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("[e2e] {} ignored SIGTERM for 10 s: killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last `lines` lines of a log file.
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// Removes every `FALLWERK_*` and `AWS_*` variable this process inherited from `cmd`, so a
/// developer's shell cannot redirect the suite's servers (the suite sets what it needs).
pub fn clean_env(cmd: &mut Command) -> &mut Command {
    for (key, _) in std::env::vars_os() {
        if let Some(k) = key.to_str()
            && (k.starts_with("FALLWERK_") || k.starts_with("AWS_"))
        {
            cmd.env_remove(k);
        }
    }
    cmd
}
