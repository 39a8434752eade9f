//! Runs the README's curl walk verbatim against a real `fallwerk serve` on a free port: the
//! documentation cannot drift from the system. Needs bash, curl, jq, openssl (as the README says).

use crate::support;
use std::process::Command;

fn walk_script() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README");
    let start = readme
        .find("<!-- walk:start -->")
        .expect("walk start marker");
    let end = readme.find("<!-- walk:end -->").expect("walk end marker");
    let block = &readme[start..end];
    let open = block.find("```bash\n").expect("bash fence") + "```bash\n".len();
    let close = block.rfind("```").expect("closing fence");
    block[open..close].to_string()
}

#[test]
fn the_readme_walk_works_as_written() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let (server, port) = support::start_serve(&data, &[]);
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &walk_script()])
        .env("FW", format!("http://127.0.0.1:{port}"))
        .env("DATA", &data)
        .env("FALLWERK", env!("CARGO_BIN_EXE_fallwerk"))
        .output()
        .expect("run bash");
    drop(server);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let log = std::fs::read_to_string(data.with_extension("log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "walk failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- server\n{log}"
    );
    for expected in [
        "case ",
        "MV-",
        "Unterlagen nachgefordert",
        "Mietvertrag",
        "completeness_check",
        "processing_due",
        "completed",
        "Entscheidung zu Ihrem Antrag",
        "result_sent",
    ] {
        assert!(
            stdout.contains(expected),
            "`{expected}` missing in\n{stdout}"
        );
    }
    // The e-mails and the export package of the walk are on disk.
    let emails = std::fs::read_dir(data.join("outbox"))
        .expect("outbox")
        .count();
    assert!(emails >= 3, "only {emails} e-mails in the outbox");
    let packages = std::fs::read_dir(data.join("exports"))
        .expect("exports")
        .count();
    assert_eq!(packages, 1, "one export package");
    // The first start told once how the admin logs in; the database keeps only the hash.
    let password = log
        .lines()
        .find_map(|l| l.trim().strip_prefix("Passwort: "))
        .unwrap_or_else(|| panic!("no first admin password in the server output\n{log}"));
    assert!(log.contains("Benutzer: admin"), "{log}");
    assert_eq!(log.matches("Passwort: ").count(), 1, "shown once");
    let mut db = std::fs::read(data.join("fallwerk.db")).unwrap_or_default();
    db.extend(std::fs::read(data.join("fallwerk.db-wal")).unwrap_or_default());
    let db = String::from_utf8_lossy(&db);
    assert!(!db.contains(password), "the password itself is not stored");
    assert!(db.contains("$argon2id$"), "its hash is");
}
