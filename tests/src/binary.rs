//! Finds the `fallwerk` binary for the suite. `CARGO_BIN_EXE_fallwerk` exists only inside the
//! `fallwerk` package, and cargo ignores a dependency on a bin-only package, so:
//!
//! 1. `FALLWERK_BIN`, when set, names the binary to use (e.g. a release build);
//! 2. else `<target>/<profile>/fallwerk` next to this test executable (`<target>/<profile>/
//!    deps/…`), when it is newer than every file it is built from ([`INPUTS`]) — `cargo test
//!    --workspace` builds it before any test runs (the `fallwerk` package's own tests need it);
//! 3. else (missing or older than a source: e.g. only `cargo test -p fallwerk-e2e` ran after an
//!    edit) the suite runs `cargo build -p fallwerk --bin fallwerk` itself — the cargo that built
//!    this test (`env!("CARGO")`), the same target directory (the ancestor holding
//!    `CACHEDIR.TAG`) and profile — and uses the result. It never runs a stale binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// The path of an up-to-date `fallwerk` binary; panics with the reason when there is none.
pub fn fallwerk_binary() -> PathBuf {
    BINARY
        .get_or_init(locate)
        .clone()
        .unwrap_or_else(|e| panic!("no fallwerk binary: {e}"))
}

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the e2e crate lives in the workspace root's tests/")
}

/// What the binary is built from: the workspace manifest and lock file, and the crates of the
/// `fallwerk` package's dependency tree.
const INPUTS: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "events",
    "scheduler",
    "functions/core",
    "functions/adapters",
    "functions/api",
    "functions/runtime",
    "functions/workers",
    "functions/local",
];

/// The newest modification time under `path`, leaving out what does not go into a binary: a
/// crate's `tests/`, `benches/`, `examples/` and `target/`, and hidden directories.
fn newest_under(path: &Path, newest: &mut SystemTime) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.is_file() {
        if let Ok(modified) = meta.modified()
            && modified > *newest
        {
            *newest = modified;
        }
        return;
    }
    let crate_root = path.join("Cargo.toml").is_file();
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let skip = name.starts_with('.')
            || name == "target"
            || (crate_root && matches!(name.as_ref(), "tests" | "benches" | "examples"));
        if !skip {
            newest_under(&entry.path(), newest);
        }
    }
}

/// Whether `bin` is newer than every input it is built from.
fn fresh(bin: &Path) -> bool {
    let Ok(built) = std::fs::metadata(bin).and_then(|m| m.modified()) else {
        return false;
    };
    let mut newest = SystemTime::UNIX_EPOCH;
    for input in INPUTS {
        newest_under(&workspace_root().join(input), &mut newest);
    }
    built >= newest
}

fn locate() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("FALLWERK_BIN").filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(bin);
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("FALLWERK_BIN={} is not a file", bin.display()))
        };
    }
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("unexpected test executable path {}", exe.display()))?;
    let bin = profile_dir.join(format!("fallwerk{}", std::env::consts::EXE_SUFFIX));
    if fresh(&bin) {
        eprintln!("[e2e] fallwerk binary {} (up to date)", bin.display());
        return Ok(bin);
    }
    let target_dir = profile_dir
        .ancestors()
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .ok_or_else(|| format!("no cargo target directory above {}", exe.display()))?;
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(other) => other.to_string(),
    };
    eprintln!(
        "[e2e] {} is missing or older than the sources: cargo build -p fallwerk",
        bin.display()
    );
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "fallwerk", "--bin", "fallwerk"])
        .args(["--profile", &profile])
        .arg("--target-dir")
        .arg(target_dir)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build -p fallwerk failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if !bin.is_file() {
        return Err(format!(
            "cargo built fallwerk, but {} is missing",
            bin.display()
        ));
    }
    eprintln!(
        "[e2e] fallwerk binary {} (built in {:.1} s)",
        bin.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(bin)
}
