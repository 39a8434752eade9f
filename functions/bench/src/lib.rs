//! Shared helpers of fallwerk's benchmark binaries: machine facts, percentiles, markdown tables.

mod op_counter;

use std::time::Duration;

pub use op_counter::OpCounter;

/// Applicant names of the benchmark cases (umlauts included, as a search must handle them).
pub const NAMES: [&str; 8] = [
    "Jürgen Müller",
    "Erika Mustermann",
    "Anna Weiß",
    "Ömer Öztürk",
    "Max Schmidt",
    "Lena Fischer",
    "Paul Becker",
    "Mia Hoffmann",
];

/// A DynamoDB client for DynamoDB Local (`AWS_ENDPOINT_URL_DYNAMODB`, else
/// `127.0.0.1:$FALLWERK_DDB_PORT`, port 8001 by default) that counts its requests; `None`
/// with a note on stderr naming `bin` when nothing answers there.
pub async fn dynamo_client(bin: &str) -> Option<(aws_sdk_dynamodb::Client, OpCounter)> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            let port = std::env::var("FALLWERK_DDB_PORT").unwrap_or_else(|_| "8001".into());
            format!("http://127.0.0.1:{port}")
        });
    if tokio::net::TcpStream::connect(endpoint.trim_start_matches("http://"))
        .await
        .is_err()
    {
        eprintln!(
            "{bin}: SKIPPED DynamoDB: nothing answers at {endpoint} (scripts/emulators.sh start)"
        );
        return None;
    }
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-central-1"))
        .endpoint_url(&endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "bench",
        ))
        .load()
        .await;
    let counter = OpCounter::default();
    let conf = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .interceptor(counter.clone())
        .build();
    Some((aws_sdk_dynamodb::Client::from_conf(conf), counter))
}

/// `nproc`, total memory and the 1/5/15-minute load average, as one line for the report.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("nproc {cpus}, memory {mem_gib:.1} GiB, load {}", load())
}

/// The load average (`/proc/loadavg`: 1, 5, 15 minutes).
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

/// The `p`-th percentile (0..=100, nearest rank) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median of unsorted durations.
pub fn median(values: &[Duration]) -> Duration {
    let mut v = values.to_vec();
    v.sort();
    percentile(&v, 50.0)
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Prints a markdown table.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    println!("| {} |", header.join(" | "));
    println!(
        "|{}|",
        header.iter().map(|_| "---").collect::<Vec<_>>().join("|")
    );
    for row in rows {
        println!("| {} |", row.join(" | "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&v, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&v, 100.0), Duration::from_millis(100));
        assert_eq!(
            median(&[Duration::from_millis(3)]),
            Duration::from_millis(3)
        );
    }
}
