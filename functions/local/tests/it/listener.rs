//! The listener of `fallwerk serve` against raw TCP clients (issue 17): connections that send
//! nothing, stop in the middle of their headers or sit idle after a response are closed by the
//! header timeout; a body that stops arriving ends with an error answer; a request needs exactly
//! one Host header. Waits are bounded polls on the socket, not timing assertions.

use crate::support;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

/// Sends `request` on a fresh connection and reads until the server closes it (or 30 s pass).
fn exchange(port: u16, request: &[u8]) -> (String, bool) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(request).expect("write");
    read_until_closed(&mut s)
}

/// Everything the server sends, and whether it closed the connection (within 30 s).
fn read_until_closed(s: &mut TcpStream) -> (String, bool) {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&answer).into_owned(), true),
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&answer).into_owned(), true);
            }
            Err(_) => return (String::from_utf8_lossy(&answer).into_owned(), false),
        }
    }
}

#[test]
fn slow_idle_and_hostless_clients_are_cut_off() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let (_server, port) =
        support::start_serve(&data, &["--header-timeout", "1", "--body-timeout", "1"]);

    // Nothing sent at all, and headers that stop halfway: closed by the header timeout.
    for request in [
        &b""[..],
        &b"GET /health HTTP/1.1\r\nHost: localhost\r\n"[..],
    ] {
        let (answer, closed) = exchange(port, request);
        assert!(closed, "{request:?} kept open; got {answer:?}");
        assert!(!answer.contains(" 200 "), "{answer}");
    }

    // A keep-alive connection idle after its response is closed as well.
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("write");
    let (answer, closed) = read_until_closed(&mut s);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "idle keep-alive connection kept open");

    // A body that stops arriving: the request fails instead of holding the connection.
    let token = Command::new(env!("CARGO_BIN_EXE_fallwerk"))
        .args(["token", "--user", "admin1", "--role", "admin", "--data"])
        .arg(&data)
        .output()
        .expect("token");
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    let head = format!(
        "PUT /v1/admin/org-units/oe-slow HTTP/1.1\r\nHost: localhost\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n{{\"id\":"
    );
    let (answer, closed) = exchange(port, head.as_bytes());
    assert!(closed, "slow body kept open; got {answer:?}");
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");

    // No Host header, or two: 400.
    for request in [
        &b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"[..],
        &b"GET /health HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n"
            [..],
    ] {
        let (answer, _) = exchange(port, request);
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
}
