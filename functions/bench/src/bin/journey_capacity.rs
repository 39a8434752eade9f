//! Capacity units of the whole end-to-end journey on DynamoDB (issue 18, docs/COSTS.md).
//!
//! Runs the e2e journey (`fallwerk_e2e::scenario::journey`: the real `fallwerk serve --backend
//! aws` on DynamoDB Local and moto, four cases through intake, every caseworker action, export,
//! result, reminders, announcement and appeal) with DynamoDB Local behind a measuring proxy. The
//! proxy asks every request for `ReturnConsumedCapacity: INDEXES`, sums the units DynamoDB Local
//! reports (table and indexes; transactions at their double price) and books them on the journey
//! step that is running. The scheduler's own polling (lease, due index, outbox sweep) runs every
//! second in the test and once a minute in production, so it is booked apart, per tick.
//!
//! Run: `scripts/emulators.sh start && eval "$(scripts/emulators.sh env)" &&
//! cargo run --release -p fallwerk-bench --bin journey_capacity`. Prints Markdown tables.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Requests and capacity units (read and write request units in on-demand terms).
#[derive(Debug, Default, Clone, Copy)]
struct Units {
    requests: u64,
    read: f64,
    write: f64,
}

impl Units {
    fn add(&mut self, read: bool, units: f64) {
        self.requests += 1;
        if read {
            self.read += units;
        } else {
            self.write += units;
        }
    }

    fn plus(self, o: Units) -> Units {
        Units {
            requests: self.requests + o.requests,
            read: self.read + o.read,
            write: self.write + o.write,
        }
    }
}

#[derive(Debug, Default)]
struct Ledger {
    step: String,
    order: Vec<String>,
    steps: BTreeMap<String, Units>,
    by_op: BTreeMap<String, Units>,
    tick: Units,
    ticks: u64,
    unreported: u64,
    /// Write units by where they were spent: the table or one of its indexes.
    write_where: BTreeMap<String, f64>,
    /// Items written in transactions, by key kind: (items, bytes of their attributes).
    written: BTreeMap<String, (u64, u64)>,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    ledger: Arc<Mutex<Ledger>>,
}

fn lock(l: &Mutex<Ledger>) -> MutexGuard<'_, Ledger> {
    l.lock().unwrap_or_else(|p| p.into_inner())
}

const READ_OPS: [&str; 5] = [
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "TransactGetItems",
];
const WITH_CAPACITY: [&str; 10] = [
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "TransactGetItems",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
];

/// The scheduler's own polling, independent of the journey: taking the tick lease, querying the
/// due index shards and the outbox sweep's shards.
fn is_tick(op: &str, body: &str) -> bool {
    body.contains("\"LEASE#")
        || (op == "Query" && (body.contains("\"DUE#") || body.contains("\"OUTBOX#")))
}

/// The kind of an item from its keys: the partition key's prefix (`CASE`, `DUE`, …) and, for a
/// case partition, the sort key's (`EVENT`, `MSG`, `DEADLINE`, `META`).
fn item_kind(item: &Value) -> String {
    let key = |k: &str| {
        item.get(k)
            .and_then(|v| v.get("S"))
            .and_then(Value::as_str)
            .map(|s| s.split('#').next().unwrap_or(s).to_string())
            .unwrap_or_default()
    };
    format!("{}/{}", key("pk"), key("sk"))
}

/// Books each item of a `TransactWriteItems` request by kind and attribute bytes.
fn book_transaction(l: &mut Ledger, req: &Value) {
    let Some(items) = req.get("TransactItems").and_then(Value::as_array) else {
        return;
    };
    for t in items {
        let (kind, bytes) = if let Some(put) = t.get("Put") {
            let item = put.get("Item").cloned().unwrap_or_default();
            (format!("put {}", item_kind(&item)), item.to_string().len())
        } else if let Some(u) = t.get("Update") {
            let key = u.get("Key").cloned().unwrap_or_default();
            (format!("update {}", item_kind(&key)), u.to_string().len())
        } else if let Some(d) = t.get("Delete") {
            let key = d.get("Key").cloned().unwrap_or_default();
            (format!("delete {}", item_kind(&key)), 0)
        } else if let Some(c) = t.get("ConditionCheck") {
            let key = c.get("Key").cloned().unwrap_or_default();
            (format!("check {}", item_kind(&key)), 0)
        } else {
            ("?".to_string(), 0)
        };
        let e = l.written.entry(kind).or_default();
        e.0 += 1;
        e.1 += bytes as u64;
    }
}

/// Books the write units of an answer on the table and on each index.
fn book_where(l: &mut Ledger, consumed: &Value) {
    let entries = match consumed {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        other => vec![other],
    };
    for e in entries {
        if let Some(u) = e.pointer("/Table/CapacityUnits").and_then(Value::as_f64) {
            *l.write_where.entry("table".into()).or_default() += u;
        }
        if let Some(Value::Object(indexes)) = e.get("GlobalSecondaryIndexes") {
            for (name, v) in indexes {
                if let Some(u) = v.get("CapacityUnits").and_then(Value::as_f64) {
                    *l.write_where.entry(format!("index {name}")).or_default() += u;
                }
            }
        }
    }
}

/// Sum of `CapacityUnits` over an object or a list of them.
fn units(consumed: &Value) -> Option<f64> {
    match consumed {
        Value::Array(items) => Some(items.iter().filter_map(units).sum()),
        Value::Object(o) => o.get("CapacityUnits").and_then(Value::as_f64),
        _ => None,
    }
}

async fn forward(State(p): State<Proxy>, headers: HeaderMap, body: Bytes) -> Response {
    let op = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("?")
        .to_string();
    let mut body_out = body.to_vec();
    if op == "TransactWriteItems"
        && let Ok(req) = serde_json::from_slice::<Value>(&body)
    {
        book_transaction(&mut lock(&p.ledger), &req);
    }
    if WITH_CAPACITY.contains(&op.as_str())
        && let Ok(Value::Object(mut req)) = serde_json::from_slice::<Value>(&body)
    {
        req.insert("ReturnConsumedCapacity".into(), "INDEXES".into());
        body_out = serde_json::to_vec(&req).unwrap_or(body_out);
    }
    let text = String::from_utf8_lossy(&body).to_string();
    let mut req = p.http.post(&p.upstream).body(body_out);
    for (k, v) in &headers {
        if k != "host" && k != "content-length" {
            req = req.header(k, v);
        }
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = resp.status();
    let mut out_headers = HeaderMap::new();
    for (k, v) in resp.headers() {
        if k != "content-length" && k != "transfer-encoding" && k != "connection" {
            out_headers.insert(HeaderName::from(k), v.clone());
        }
    }
    let bytes = resp.bytes().await.unwrap_or_default();
    if status.is_success() && WITH_CAPACITY.contains(&op.as_str()) {
        let answer = serde_json::from_slice::<Value>(&bytes).ok();
        let consumed = answer.as_ref().and_then(|v| v.get("ConsumedCapacity"));
        let reported = consumed.and_then(units);
        let read = READ_OPS.contains(&op.as_str());
        let mut l = lock(&p.ledger);
        if let (false, Some(c)) = (read, consumed) {
            book_where(&mut l, c);
        }
        match reported {
            Some(u) => {
                if is_tick(&op, &text) {
                    l.tick.add(read, u);
                    if op == "PutItem" {
                        l.ticks += 1;
                    }
                } else {
                    let step = l.step.clone();
                    l.steps.entry(step).or_default().add(read, u);
                }
                l.by_op.entry(op).or_default().add(read, u);
            }
            None => l.unreported += 1,
        }
    }
    (status, out_headers, bytes).into_response()
}

fn row(name: &str, u: Units) -> String {
    format!(
        "| {name} | {} | {:.1} | {:.1} |",
        u.requests, u.read, u.write
    )
}

fn main() {
    let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:8001".into());
    let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => {
            eprintln!("journey_capacity: cannot bind the proxy: {e}");
            std::process::exit(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    // Before the runtime starts its threads: nothing else reads the environment yet.
    // SAFETY: single-threaded at this point.
    unsafe {
        std::env::set_var(
            "AWS_ENDPOINT_URL_DYNAMODB",
            format!("http://127.0.0.1:{port}"),
        )
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("journey_capacity: no runtime: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(run(listener, upstream));
}

async fn run(listener: std::net::TcpListener, upstream: String) {
    let ledger = Arc::new(Mutex::new(Ledger {
        step: "set-up (directory, tables)".into(),
        order: vec!["set-up (directory, tables)".into()],
        ..Ledger::default()
    }));
    let proxy = Proxy {
        upstream,
        http: reqwest::Client::new(),
        ledger: ledger.clone(),
    };
    let app = axum::Router::new().fallback(forward).with_state(proxy);
    let listener = listener
        .set_nonblocking(true)
        .and_then(|()| tokio::net::TcpListener::from_std(listener));
    let listener = match listener {
        Ok(l) => l,
        Err(e) => {
            eprintln!("journey_capacity: proxy listener: {e}");
            std::process::exit(1);
        }
    };
    tokio::spawn(async move { axum::serve(listener, app).await });

    let hook_ledger = ledger.clone();
    fallwerk_e2e::scenario::on_step(move |what| {
        let mut l = lock(&hook_ledger);
        l.step = what.to_string();
        l.order.push(what.to_string());
    });
    let started = std::time::Instant::now();
    fallwerk_e2e::scenario::journey(fallwerk_e2e::backend::Kind::Aws).await;
    let took = started.elapsed();

    let l = lock(&ledger);
    println!(
        "## DynamoDB capacity of the e2e journey (4 cases), DynamoDB Local, ReturnConsumedCapacity=INDEXES"
    );
    println!();
    println!("Journey took {:.1} s.", took.as_secs_f64());
    println!();
    println!("| step | requests | read units | write units |");
    println!("|---|---:|---:|---:|");
    let mut total = Units::default();
    for step in &l.order {
        if let Some(u) = l.steps.get(step) {
            println!("{}", row(step, *u));
            total = total.plus(*u);
        }
    }
    println!(
        "{}",
        row("**journey total (without the scheduler's polling)**", total)
    );
    println!();
    let per_tick = match l.tick.requests.checked_div(l.ticks) {
        Some(requests) => Units {
            requests,
            read: l.tick.read / l.ticks as f64,
            write: l.tick.write / l.ticks as f64,
        },
        None => Units::default(),
    };
    println!(
        "Scheduler polling: {} ticks, {} requests, {:.1} read / {:.1} write units in all; per tick {:.2} read / {:.2} write units.",
        l.ticks, l.tick.requests, l.tick.read, l.tick.write, per_tick.read, per_tick.write
    );
    println!();
    println!("| operation | requests | read units | write units |");
    println!("|---|---:|---:|---:|");
    for (op, u) in &l.by_op {
        println!("{}", row(op, *u));
    }
    println!();
    println!("Write units by where they are spent:");
    println!();
    for (place, u) in &l.write_where {
        println!("- {place}: {u:.1}");
    }
    println!();
    println!("Items written in transactions (attribute JSON as sent, a size indicator):");
    println!();
    println!("| item (key prefixes) | items | average bytes |");
    println!("|---|---:|---:|");
    for (kind, (n, bytes)) in &l.written {
        println!("| {kind} | {n} | {} |", bytes / (*n).max(1));
    }
    if l.unreported > 0 {
        println!();
        println!("{} answers carried no ConsumedCapacity.", l.unreported);
    }
}
