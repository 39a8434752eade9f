//! `fallwerk admin apply` checks export targets when they are configured (issue 17): an http
//! webhook (without the allow-http setting) and a directory outside the export root are refused
//! with the field named, before anything of the document is stored.

use std::path::Path;
use std::process::{Command, Output};

fn apply(data: &Path, yaml: &str, env: &[(&str, &str)]) -> Output {
    let file = data.with_extension("yaml");
    std::fs::write(&file, yaml).expect("write yaml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fallwerk"));
    cmd.args(["admin", "apply", "--data"])
        .arg(data)
        .arg(&file)
        .env_remove("FALLWERK_WEBHOOK_ALLOW_HTTP")
        .env_remove("FALLWERK_EXPORT_ROOT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run fallwerk admin apply")
}

fn service(target: &str) -> String {
    format!(
        "services:\n  - leika_id: \"99000000000001\"\n    name: Export-Test\n    export_target: {target}\n"
    )
}

#[test]
fn export_targets_are_checked_on_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    for (target, says) in [
        (
            r#"{kind: webhook, url: "http://dms.amt.example/hook", secret_ref: dms}"#,
            "export_target.url",
        ),
        (
            r#"{kind: directory, path: "../../etc/cron.d"}"#,
            "export_target.path",
        ),
        (
            r#"{kind: directory, path: "/etc/cron.d"}"#,
            "export_target.path",
        ),
    ] {
        let out = apply(&data, &service(target), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{target} was accepted");
        assert!(stderr.contains(says), "{target}: {stderr}");
    }
    for (target, env) in [
        (
            r#"{kind: webhook, url: "https://dms.amt.example/hook", secret_ref: dms}"#,
            &[][..],
        ),
        (
            r#"{kind: webhook, url: "http://127.0.0.1:9/hook", secret_ref: dms}"#,
            &[("FALLWERK_WEBHOOK_ALLOW_HTTP", "true")][..],
        ),
        (r#"{kind: directory, path: "dms"}"#, &[][..]),
    ] {
        let out = apply(&data, &service(target), env);
        assert!(
            out.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
