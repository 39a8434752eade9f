//! The default build of `fallwerk` has no AWS backend (issue 18: the first build skips the AWS
//! SDK). Asked for it, every command that could use it says how to get it instead of failing
//! obscurely, and nothing is created in the data directory.

#![cfg(not(feature = "aws"))]

use std::process::Command;

fn refused(args: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_fallwerk"))
        .args(args)
        .arg("--data")
        .arg(&data)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("run fallwerk");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded: {stderr}");
    assert!(
        stderr.contains("built without the AWS backend") && stderr.contains("--features aws"),
        "{args:?}: {stderr}"
    );
    assert!(!data.exists(), "{args:?} created {}", data.display());
}

#[test]
fn backend_aws_is_refused_with_the_way_to_build_it() {
    refused(&["serve", "--backend", "aws", "--listen", "127.0.0.1:0"]);
    refused(&["user", "list", "--backend", "aws"]);
    refused(&["admin", "backfill-inbox", "--backend", "aws"]);
}

#[test]
fn init_aws_is_refused_with_the_way_to_build_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_fallwerk"))
        .args(["init-aws", "--name", "nowhere"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("run fallwerk init-aws");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("--features aws"), "{stderr}");
}
