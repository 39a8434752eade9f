//! Finds the `fallwerk` binary for the suite. `CARGO_BIN_EXE_fallwerk` exists only inside the
//! `fallwerk` package, and cargo ignores a dependency on a bin-only package, so:
//!
//! 1. `FALLWERK_BIN`, when set, names the binary to use (e.g. a release build);
//! 2. else the suite runs `cargo build -p fallwerk --bin fallwerk --features aws` itself — the
//!    cargo that built this test (`env!("CARGO")`), the same target directory (the ancestor
//!    holding `CACHEDIR.TAG`) and profile — and uses `<target>/<profile>/fallwerk`. Cargo decides
//!    whether anything needs building, so the suite never runs a stale binary, and the binary has
//!    the AWS backend (`--backend aws`), which the default build of the `fallwerk` package
//!    leaves out (the `fallwerk` package's own tests build it without).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

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
    let target_dir = profile_dir
        .ancestors()
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .ok_or_else(|| format!("no cargo target directory above {}", exe.display()))?;
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(other) => other.to_string(),
    };
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args([
            "build",
            "--quiet",
            "-p",
            "fallwerk",
            "--bin",
            "fallwerk",
            "--features",
            "aws",
        ])
        .args(["--profile", &profile])
        .arg("--target-dir")
        .arg(target_dir)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build -p fallwerk --features aws failed:\n{}",
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
        "[e2e] fallwerk binary {} (cargo build --features aws: {:.1} s)",
        bin.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(bin)
}
