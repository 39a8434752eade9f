//! Load benchmark of `POST /v1/submissions` (issue 4): `fallwerk serve` on SQLite versus a minimal
//! axum handler (the baseline), driven by the same load generator in the same run.
//!
//! Each request carries a ~20 KB form (JSON data tree) and one 200 KB attachment (base64, with
//! size and sha256), a unique `submission_id` and its own HMAC-SHA256 signature. Fixed
//! concurrency, a bounded number of requests after a warm-up; loopback only.
//!
//! ```text
//! cargo build --release -p fallwerk -p fallwerk-bench
//! $CARGO_TARGET_DIR/release/submit_load [--requests 3000] [--warmup 200] [--concurrency 16]
//!     [--fallwerk PATH] [--only fallwerk|baseline] [--serve-wrapper "strace -f -c -o FILE"]
//! ```

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use base64::Engine;
use fallwerk_bench::{load, machine, ms, percentile, print_table};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

const CLIENT_ID: &str = "bench-portal";
const SECRET: &str = "bench-secret-0123456789abcdef0123456789abcdef";
const ORG_UNIT: &str = "demo-buergeramt";
const LEIKA: &str = "99050012104000";
const FORM_BYTES: usize = 20 * 1024;
const ATTACHMENT_BYTES: usize = 200 * 1024;

struct Opts {
    requests: usize,
    warmup: usize,
    concurrency: usize,
    fallwerk: PathBuf,
    only: Option<String>,
    /// A command line `fallwerk serve` runs under, e.g. `strace -f -c -o FILE` (profiling).
    wrapper: Vec<String>,
}

fn opts() -> Opts {
    let mut o = Opts {
        requests: 3000,
        warmup: 200,
        concurrency: 16,
        fallwerk: default_fallwerk(),
        only: None,
        wrapper: Vec::new(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().unwrap_or_else(|| usage(a));
        match a.as_str() {
            "--requests" => o.requests = value().parse().unwrap_or_else(|_| usage(a)),
            "--warmup" => o.warmup = value().parse().unwrap_or_else(|_| usage(a)),
            "--concurrency" => o.concurrency = value().parse().unwrap_or_else(|_| usage(a)),
            "--fallwerk" => o.fallwerk = PathBuf::from(value()),
            "--only" => o.only = Some(value()),
            "--serve-wrapper" => o.wrapper = value().split_whitespace().map(String::from).collect(),
            _ => usage(a),
        }
    }
    o
}

fn usage(arg: &str) -> ! {
    eprintln!(
        "submit_load: bad argument {arg}\nusage: submit_load [--requests N] [--warmup N] \
         [--concurrency N] [--fallwerk PATH] [--only fallwerk|baseline] [--serve-wrapper CMDLINE]"
    );
    std::process::exit(2)
}

/// `$CARGO_TARGET_DIR/release/fallwerk`, else `target/release/fallwerk`.
fn default_fallwerk() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), PathBuf::from);
    target.join("release").join("fallwerk")
}

/// A ~`target`-byte JSON data tree: applicant, address and a list of household members.
fn form_data(target: usize) -> serde_json::Value {
    let mut members = Vec::new();
    let mut data = json!({});
    for i in 0.. {
        members.push(json!({
            "vorname": format!("Person {i}"),
            "nachname": "Mustermann",
            "geburtsdatum": "1984-05-17",
            "verwandtschaft": if i == 0 { "antragsteller" } else { "kind" },
            "einkommen": {"art": "Erwerbseinkommen", "brutto_monatlich": 2140.5 + i as f64, "netto_monatlich": 1580.25, "nachweis_vorhanden": true},
            "anschrift": {"strasse": "Schloßstraße", "hausnummer": "1", "plz": "19053", "ort": "Schwerin"},
            "angaben": {"schwerbehindert": false, "pflegegrad": null, "unterhalt": [100, 200, 300]}
        }));
        data = json!({
            "haushalt": {"personen": members.len(), "mitglieder": members},
            "wohnung": {"miete_bruttokalt": 690, "flaeche_qm": 72.5, "baujahr": 1972},
            "zustimmung_datenschutz": true
        });
        if serde_json::to_vec(&data).map_or(0, |v| v.len()) >= target {
            break;
        }
    }
    data
}

/// Deterministic pseudo-random bytes (an xorshift), so the attachment does not compress.
fn attachment(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The request body up to the submission id: every body is `prefix + id + "\"}"`, so the
/// signature differs per request while the HMAC over the large prefix is computed once a second.
fn body_prefix() -> (Vec<u8>, usize) {
    let bytes = attachment(ATTACHMENT_BYTES);
    let body = json!({
        "leika_id": LEIKA,
        "org_unit_id": ORG_UNIT,
        "applicant": {"name": "Erika Mustermann", "email": "erika@example.org", "postbox_ref": "pb-4711"},
        "form": {"id": "wohngeld-v1", "data": form_data(FORM_BYTES)},
        "attachments": [{
            "name": "einkommen.pdf",
            "media_type": "application/pdf",
            "size": bytes.len(),
            "sha256": hex::encode(Sha256::digest(&bytes)),
            "content": base64::engine::general_purpose::STANDARD.encode(&bytes),
        }],
        "submission_id": "",
    })
    .to_string();
    // serde_json sorts keys: "submission_id" is the last one, its empty value ends the text.
    let prefix = body
        .strip_suffix("\"}")
        .expect("body ends with the submission id")
        .to_string();
    assert!(
        prefix.ends_with("\"submission_id\":\""),
        "submission_id is last"
    );
    let form_len = serde_json::to_vec(&form_data(FORM_BYTES)).map_or(0, |v| v.len());
    (prefix.into_bytes(), form_len)
}

/// Signs `timestamp + "." + prefix + tail`, reusing the HMAC state over the prefix per second.
struct Signer {
    prefix: Vec<u8>,
    cache: Mutex<Option<(i64, HmacSha256)>>,
}

impl Signer {
    fn sign(&self, tail: &[u8]) -> (String, String) {
        let now = chrono::Utc::now().timestamp();
        let mut mac = {
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            match &*cache {
                Some((ts, mac)) if *ts == now => mac.clone(),
                _ => {
                    let mut mac = HmacSha256::new_from_slice(SECRET.as_bytes()).expect("hmac key");
                    mac.update(now.to_string().as_bytes());
                    mac.update(b".");
                    mac.update(&self.prefix);
                    *cache = Some((now, mac.clone()));
                    mac
                }
            }
        };
        mac.update(tail);
        (
            now.to_string(),
            format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
        )
    }
}

#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    elapsed: Duration,
    errors: usize,
    first_error: Option<String>,
}

/// Sends `count` submissions with `concurrency` in flight; ids are `{tag}-{i}`.
async fn drive(
    client: &reqwest::Client,
    url: &str,
    signer: &Arc<Signer>,
    tag: &str,
    count: usize,
    concurrency: usize,
) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, signer, next, tag) = (
            client.clone(),
            url.to_string(),
            signer.clone(),
            next.clone(),
            tag.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let tail = format!("{tag}-{i:06}\"}}");
                let mut body = Vec::with_capacity(signer.prefix.len() + tail.len());
                body.extend_from_slice(&signer.prefix);
                body.extend_from_slice(tail.as_bytes());
                let (ts, sig) = signer.sign(tail.as_bytes());
                let t = Instant::now();
                let result = client
                    .post(&url)
                    .header("Content-Type", "application/json")
                    .header("X-Fallwerk-Client", CLIENT_ID)
                    .header("X-Fallwerk-Timestamp", ts)
                    .header("X-Fallwerk-Signature", sig)
                    .body(body)
                    .send()
                    .await;
                let error = match result {
                    Ok(resp) => {
                        let status = resp.status();
                        let text = resp.text().await.unwrap_or_default();
                        (status != reqwest::StatusCode::CREATED).then(|| {
                            format!("{status}: {}", text.chars().take(300).collect::<String>())
                        })
                    }
                    Err(e) => Some(e.to_string()),
                };
                out.latencies.push(t.elapsed());
                if let Some(e) = error {
                    out.errors += 1;
                    out.first_error.get_or_insert(e);
                }
            }
            out
        }));
    }
    let mut all = Outcome::default();
    for t in tasks {
        let o = t.await.expect("load task");
        all.latencies.extend(o.latencies);
        all.errors += o.errors;
        if all.first_error.is_none() {
            all.first_error = o.first_error;
        }
    }
    all.elapsed = started.elapsed();
    all.latencies.sort();
    all
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free loopback port")
}

/// The baseline: reads the whole body, answers 201 with a small JSON.
async fn start_baseline() -> SocketAddr {
    async fn accept(body: Bytes) -> (StatusCode, axum::Json<serde_json::Value>) {
        (
            StatusCode::CREATED,
            axum::Json(
                json!({"case_id": "baseline", "reference": "MV-2026-000001", "status": "received", "bytes": body.len()}),
            ),
        )
    }
    let router = axum::Router::new()
        .route("/v1/submissions", axum::routing::post(accept))
        .layer(DefaultBodyLimit::max(32 * 1024 * 1024));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind baseline");
    let addr = listener.local_addr().expect("baseline addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// `fallwerk serve` on a fresh data directory, killed on drop.
struct Serve {
    child: tokio::process::Child,
    addr: SocketAddr,
}

impl Serve {
    async fn start(bin: &Path, data: &Path, wrapper: &[String]) -> Serve {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let log = std::fs::File::create(data.with_extension("log")).expect("serve log");
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = tokio::process::Command::new(program);
                c.args(args).arg(bin);
                c
            }
            None => tokio::process::Command::new(bin),
        };
        let child = command
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", &addr.to_string()])
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "fallwerk serve did not listen on {addr}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Serve { child, addr }
    }

    /// SIGTERM to `fallwerk serve` (under a wrapper: to the wrapper's children, so the wrapper
    /// sees its command end and writes its report).
    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
                .unwrap_or_default();
            let mut targets: Vec<String> = children.split_whitespace().map(String::from).collect();
            if targets.is_empty() {
                targets.push(pid.to_string());
            }
            let _ = tokio::process::Command::new("kill")
                .arg("-TERM")
                .args(&targets)
                .status()
                .await;
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

async fn register_client(client: &reqwest::Client, bin: &Path, data: &Path, base: &str) {
    let out = std::process::Command::new(bin)
        .args(["token", "--data"])
        .arg(data)
        // The first admin account `fallwerk serve` creates in a fresh data directory.
        .args(["--user", "admin", "--role", "admin"])
        .output()
        .expect("fallwerk token");
    assert!(out.status.success(), "fallwerk token failed: {out:?}");
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let resp = client
        .put(format!("{base}/v1/admin/portal-clients/{CLIENT_ID}"))
        .bearer_auth(token)
        // The load generator still signs with version 1 (its HMAC state is reused per second).
        .json(&json!({"id": CLIENT_ID, "name": "Benchmark", "secret": SECRET, "allow_signature_v1": true}))
        .send()
        .await
        .expect("register portal client");
    assert!(
        resp.status().is_success(),
        "register portal client: {}",
        resp.status()
    );
}

/// CPU seconds (user + system) a process (with `children`: and its direct children, e.g. a
/// wrapper's command) has used so far; `None` without procfs.
fn cpu_seconds(pid: u32, children: bool) -> Option<f64> {
    let ticks = |pid: &str| -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may contain spaces) start at ") ".
        let rest = stat.rsplit_once(") ")?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    };
    let me = pid.to_string();
    let children = if children {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default()
    } else {
        String::new()
    };
    let total: u64 = std::iter::once(me.as_str())
        .chain(children.split_whitespace())
        .map(ticks)
        .sum::<Option<u64>>()?;
    // USER_HZ is 100 on Linux.
    Some(total as f64 / 100.0)
}

/// `.eml` files in `dir` (the mailer's temporary files do not count).
fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
            .count()
    })
}

/// CPU milliseconds per request between two `cpu_seconds` readings.
fn cpu_per_request(before: Option<f64>, after: Option<f64>, requests: usize) -> String {
    match (before, after) {
        (Some(b), Some(a)) if requests > 0 => format!("{:.2}", (a - b) * 1000.0 / requests as f64),
        _ => "–".into(),
    }
}

/// The CPU and e-mail columns of a row that does not measure them.
fn unmeasured() -> [String; 3] {
    ["–".into(), "–".into(), "–".into()]
}

/// A table row: the phase's numbers, then the CPU and e-mail columns (`extra`).
fn row(
    target: &str,
    phase: &str,
    o: &Outcome,
    concurrency: usize,
    load: &str,
    extra: [String; 3],
) -> Vec<String> {
    let n = o.latencies.len();
    let mut cells = vec![
        target.into(),
        phase.into(),
        n.to_string(),
        concurrency.to_string(),
        format!("{:.2}", o.elapsed.as_secs_f64()),
        format!("{:.1}", n as f64 / o.elapsed.as_secs_f64()),
        ms(percentile(&o.latencies, 50.0)),
        ms(percentile(&o.latencies, 99.0)),
        ms(o.latencies.last().copied().unwrap_or_default()),
        o.errors.to_string(),
        load.into(),
    ];
    cells.extend(extra);
    cells
}

#[tokio::main]
async fn main() {
    let o = opts();
    let (prefix, form_len) = body_prefix();
    let body_len = prefix.len() + 20;
    let signer = Arc::new(Signer {
        prefix,
        cache: Mutex::new(None),
    });
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(o.concurrency)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client");
    let run = format!("{}", chrono::Utc::now().timestamp_millis());
    eprintln!(
        "submit_load: form {form_len} B JSON, attachment {ATTACHMENT_BYTES} B (base64), body ~{body_len} B; \
         {} requests after {} warm-up, {} in flight; {}",
        o.requests,
        o.warmup,
        o.concurrency,
        machine()
    );

    let mut rows = Vec::new();
    let mut failures = Vec::new();
    // (e-mails still owed when the load ended, e-mails written at the end, time to catch up)
    let mut drain: Option<(usize, usize, Duration)> = None;
    let wanted = |name: &str| o.only.as_deref().is_none_or(|only| only == name);

    if wanted("baseline") {
        let addr = start_baseline().await;
        let url = format!("http://{addr}/v1/submissions");
        let warm = drive(
            &client,
            &url,
            &signer,
            &format!("b{run}-w"),
            o.warmup,
            o.concurrency,
        )
        .await;
        let load_before = load();
        let m = drive(
            &client,
            &url,
            &signer,
            &format!("b{run}"),
            o.requests,
            o.concurrency,
        )
        .await;
        rows.push(row(
            "axum baseline",
            "warm-up",
            &warm,
            o.concurrency,
            &load_before,
            unmeasured(),
        ));
        rows.push(row(
            "axum baseline",
            "measured",
            &m,
            o.concurrency,
            &load(),
            unmeasured(),
        ));
        failures.extend(m.first_error.map(|e| format!("baseline: {e}")));
    }

    if wanted("fallwerk") {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let serve = Serve::start(&o.fallwerk, &data, &o.wrapper).await;
        let base = format!("http://{}", serve.addr);
        eprintln!(
            "submit_load: fallwerk serve pid {} on {base}, data {}",
            serve.child.id().unwrap_or(0),
            data.display()
        );
        register_client(&client, &o.fallwerk, &data, &base).await;
        let url = format!("{base}/v1/submissions");
        let warm = drive(
            &client,
            &url,
            &signer,
            &format!("f{run}-w"),
            o.warmup,
            o.concurrency,
        )
        .await;
        let load_before = load();
        let pid = serve.child.id().unwrap_or(0);
        let me = std::process::id();
        let (serve_before, client_before) = (cpu_seconds(pid, true), cpu_seconds(me, false));
        let m = drive(
            &client,
            &url,
            &signer,
            &format!("f{run}"),
            o.requests,
            o.concurrency,
        )
        .await;
        let (serve_after, client_after) = (cpu_seconds(pid, true), cpu_seconds(me, false));
        let mails = files_in(&data.join("outbox"));
        // The consumers work behind the queue; how long until they have caught up?
        let owed = 2 * (o.warmup + o.requests);
        let drain_start = Instant::now();
        let mut written = mails;
        while written < owed && drain_start.elapsed() < Duration::from_secs(300) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            written = files_in(&data.join("outbox"));
        }
        drain = Some((owed - mails.min(owed), written, drain_start.elapsed()));
        rows.push(row(
            "fallwerk serve (SQLite)",
            "warm-up",
            &warm,
            o.concurrency,
            &load_before,
            unmeasured(),
        ));
        rows.push(row(
            "fallwerk serve (SQLite)",
            "measured",
            &m,
            o.concurrency,
            &load(),
            [
                cpu_per_request(serve_before, serve_after, m.latencies.len()),
                cpu_per_request(client_before, client_after, m.latencies.len()),
                // Two e-mails per submission (org unit notice, receipt).
                format!("{mails} / {owed}"),
            ],
        ));
        failures.extend(warm.first_error.map(|e| format!("fallwerk warm-up: {e}")));
        failures.extend(m.first_error.map(|e| format!("fallwerk: {e}")));
        serve.stop().await;
        let db = data.join("fallwerk.db");
        eprintln!(
            "submit_load: database {} MB, blobs written under {}",
            std::fs::metadata(&db).map_or(0, |m| m.len()) / 1_000_000,
            data.join("blobs").display()
        );
    }

    println!(
        "\n`POST /v1/submissions`, form {form_len} B + one {ATTACHMENT_BYTES} B attachment (body ~{body_len} B); {}\n",
        machine()
    );
    print_table(
        &[
            "target",
            "phase",
            "requests",
            "in flight",
            "elapsed s",
            "submissions/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "errors",
            "load (1/5/15 min) at end",
            "serve CPU ms/req",
            "client CPU ms/req",
            "e-mails written / owed",
        ],
        &rows,
    );
    if let Some((behind, written, took)) = drain {
        println!(
            "\nAfter the load: the queue consumers wrote the {behind} e-mails still owed in \
             {:.1} s ({:.0} e-mails/s; {written} written in all).",
            took.as_secs_f64(),
            behind as f64 / took.as_secs_f64().max(0.001)
        );
    }
    for f in &failures {
        println!("\nfirst error — {f}");
    }
}
