//! The operator's user tools on the real binary and a real data directory: `admin apply` with
//! `users:`, `user add|list|deactivate|set-password`, and their refusals.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use fallwerk_api::auth::password::verify_password;
use fallwerk_core::ports::UserStore;

fn fallwerk(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fallwerk"))
        .args(args)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fallwerk");
    if let Some(text) = stdin
        && let Some(mut pipe) = child.stdin.take()
    {
        pipe.write_all(text.as_bytes()).expect("stdin");
    }
    child.wait_with_output().expect("wait")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "fallwerk failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn refused(out: &Output, says: &str) {
    assert!(!out.status.success(), "must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(says), "`{says}` missing in {err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn operators_maintain_users_from_the_command_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/directory-example.yaml"
    );
    let out = ok(&fallwerk(&data, &["admin", "apply", example], None));
    assert!(
        out.contains("applied user mmuster") && out.contains("applied user kvertretung"),
        "{out}"
    );

    let out = ok(&fallwerk(
        &data,
        &[
            "user",
            "add",
            "sb7",
            "--family-name",
            "Sieben",
            "--given-name",
            "Sabine",
            "--email",
            "sb7@rostock.example",
            "--org-unit",
            "hro-gewerbe",
        ],
        None,
    ));
    assert!(
        out.starts_with("sb7\tSabine Sieben\tsb7@rostock.example\thro-gewerbe\tcaseworker\tactive"),
        "{out}"
    );
    refused(
        &fallwerk(
            &data,
            &[
                "user",
                "add",
                "sb8",
                "--family-name",
                "Acht",
                "--email",
                "sb8",
                "--org-unit",
                "hro-gewerbe",
            ],
            None,
        ),
        "email",
    );
    refused(
        &fallwerk(
            &data,
            &[
                "user",
                "add",
                "sb8",
                "--family-name",
                "Acht",
                "--email",
                "sb8@x.de",
                "--org-unit",
                "nirgendwo",
            ],
            None,
        ),
        "unknown org unit",
    );
    refused(
        &fallwerk(
            &data,
            &[
                "user",
                "add",
                "sb8",
                "--family-name",
                "Acht",
                "--email",
                "sb8@x.de",
                "--role",
                "wizard",
            ],
            None,
        ),
        "unknown role",
    );

    let list = ok(&fallwerk(
        &data,
        &["user", "list", "--org-unit", "hro-wohngeld"],
        None,
    ));
    let ids: Vec<&str> = list.lines().filter_map(|l| l.split('\t').next()).collect();
    assert_eq!(ids, vec!["kvertretung", "mmuster"]);

    // A password from standard input; too short ones are refused; nothing is echoed.
    refused(
        &fallwerk(&data, &["user", "set-password", "mmuster"], Some("kurz\n")),
        "mindestens",
    );
    let out = ok(&fallwerk(
        &data,
        &["user", "set-password", "mmuster"],
        Some("korrekt-pferd-batterie\n"),
    ));
    assert!(!out.contains("korrekt"), "{out}");
    refused(
        &fallwerk(
            &data,
            &["user", "set-password", "ghost", "--generate"],
            None,
        ),
        "not found",
    );
    let generated = ok(&fallwerk(
        &data,
        &["user", "set-password", "sb7", "--generate"],
        None,
    ));
    let sb7_password = generated
        .lines()
        .find_map(|l| l.strip_prefix("Passwort: "))
        .expect("generated password printed")
        .to_string();

    let out = ok(&fallwerk(
        &data,
        &["user", "deactivate", "kvertretung"],
        None,
    ));
    assert!(out.trim_end().ends_with("inactive"), "{out}");
    refused(
        &fallwerk(&data, &["user", "deactivate", "ghost"], None),
        "not found",
    );

    let embedded = fallwerk_runtime::Embedded::open(
        &data,
        fallwerk_runtime::Settings::default(),
        Arc::new(fallwerk_core::app::SystemClock),
    )
    .expect("open");
    let m = embedded
        .store
        .user("mmuster")
        .await
        .expect("read")
        .expect("mmuster");
    assert!(verify_password(
        m.password_hash.as_ref(),
        "korrekt-pferd-batterie"
    ));
    assert!(!verify_password(
        m.password_hash.as_ref(),
        "korrekt-pferd-batteriE"
    ));
    let s = embedded
        .store
        .user("sb7")
        .await
        .expect("read")
        .expect("sb7");
    assert!(verify_password(s.password_hash.as_ref(), &sb7_password));
    let k = embedded
        .store
        .user("kvertretung")
        .await
        .expect("read")
        .expect("k");
    assert!(!k.active);
    assert_eq!(k.absence.map(|a| a.substitute), Some("mmuster".to_string()));
}
