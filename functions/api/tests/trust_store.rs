//! reqwest verifies TLS with the system trust store (rustls on aws-lc-rs with the platform
//! verifier, issue 17): a JWKS endpoint behind an authority's own CA is reachable once that CA
//! is in the trust store (here: `SSL_CERT_FILE`, which the system store reading honours), and
//! refused without it. The server is a real TLS server (`openssl s_server`), the certificates
//! are made by `openssl` for this test.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fallwerk_api::JwtConfig;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (the README walk needs it too)");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// A CA and a server certificate for localhost signed by it.
fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Fallwerk Test Authority CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

fn serve(dir: &Path) -> (Server, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new("openssl")
        .args([
            "s_server", "-quiet", "-WWW", "-cert", "srv.pem", "-key", "srv.key",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "s_server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

#[tokio::test]
async fn a_jwks_behind_an_internal_ca_is_trusted_through_the_system_store() {
    let tmp = tempfile::tempdir().expect("tempdir");
    certificates(tmp.path());
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwks.json"),
        tmp.path().join("jwks.json"),
    )
    .expect("jwks");
    let (_server, port) = serve(tmp.path());
    let url = format!("https://localhost:{port}/jwks.json");

    // SAFETY: this test binary has this one test; no other thread reads the environment now.
    unsafe {
        std::env::remove_var("SSL_CERT_DIR");
        std::env::set_var("SSL_CERT_FILE", tmp.path().join("empty.pem"));
    }
    std::fs::write(tmp.path().join("empty.pem"), "").expect("empty store");
    let refused = JwtConfig::jwks_url(&url, 0).await;
    assert!(refused.is_err(), "an unknown CA must not be trusted");

    unsafe {
        std::env::set_var("SSL_CERT_FILE", tmp.path().join("ca.pem"));
    }
    let config = JwtConfig::jwks_url(&url, 0).await;
    assert!(config.is_ok(), "{:?}", config.err());
}
