//! Runs the README's curl walk verbatim against a real `fallwerk serve` on a free port: the
//! documentation cannot drift from the system. Needs bash, curl, jq, openssl (as the README says).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process, stopped (SIGTERM, then kill) when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn healthy(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

fn start_server(data: &Path) -> (Server, u16) {
    let port = free_port();
    let log = std::fs::File::create(data.with_extension("log")).expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_fallwerk"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .stdout(Stdio::from(log.try_clone().expect("log")))
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start fallwerk serve");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !healthy(port) {
        assert!(
            Instant::now() < deadline,
            "fallwerk serve did not answer /health within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, port)
}

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
    let (server, port) = start_server(&data);
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
