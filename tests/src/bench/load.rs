//! An HTTP load generator: a fixed number of keep-alive connections, each one request at a time.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

/// The body of request number `i` (counted across all connections).
pub type BodyFn = Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync>;

pub struct Target {
    pub url: String,
    pub token: Option<String>,
    pub body: BodyFn,
}

/// When a run stops: after a time, or after a number of requests in all.
#[derive(Clone, Copy)]
pub enum Until {
    Elapsed(Duration),
    Requests(usize),
}

#[derive(Default)]
pub struct Outcome {
    pub ok: usize,
    pub errors: usize,
    /// Answers that mention SQLite's "database is locked".
    pub locked: usize,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    latencies_us: Vec<u64>,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile of the latencies, in milliseconds (nearest rank).
    pub fn quantile_ms(&self, q: f64) -> f64 {
        quantile_ms(&self.latencies_us, q)
    }
}

pub fn quantile_ms(sorted_us: &[u64], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted_us.len() as f64).ceil() as usize).clamp(1, sorted_us.len());
    sorted_us[rank - 1] as f64 / 1000.0
}

/// Runs `conns` connections against `target` until `until`; a request counts as an error when
/// the status is not 200 or the body carries `errors` or a non-empty `userErrors`.
pub async fn run(target: &Target, conns: usize, until: Until) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(conns);
    for _ in 0..conns {
        let client =
            reqwest::Client::builder().pool_max_idle_per_host(1).tcp_nodelay(true).build().expect("an HTTP client");
        let (url, token, body, next) = (target.url.clone(), target.token.clone(), target.body.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                match until {
                    Until::Elapsed(d) if started.elapsed() >= d => break,
                    Until::Requests(n) if i >= n => break,
                    _ => {}
                }
                let mut req = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("accept", "application/graphql-response+json, application/json")
                    .body(body(i));
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                let sent = Instant::now();
                let answer = match req.send().await {
                    Ok(r) => {
                        let status = r.status();
                        r.bytes().await.map(|b| (status, b)).map_err(|e| e.to_string())
                    }
                    Err(e) => Err(e.to_string()),
                };
                let took = sent.elapsed().as_micros() as u64;
                let failure = match &answer {
                    Ok((status, b)) if status.as_u16() == 200 && !has_errors(b) => None,
                    Ok((status, b)) => {
                        Some(format!("HTTP {status}: {}", String::from_utf8_lossy(&b[..b.len().min(400)])))
                    }
                    Err(e) => Some(e.clone()),
                };
                match failure {
                    None => {
                        out.ok += 1;
                        out.latencies_us.push(took);
                    }
                    Some(f) => {
                        out.errors += 1;
                        if f.contains("database is locked") {
                            out.locked += 1;
                        }
                        out.first_error.get_or_insert(f);
                    }
                }
            }
            out
        }));
    }
    let mut all = Outcome::default();
    for t in tasks {
        let o = t.await.expect("a load connection");
        all.ok += o.ok;
        all.errors += o.errors;
        all.locked += o.locked;
        if all.first_error.is_none() {
            all.first_error = o.first_error;
        }
        all.latencies_us.extend(o.latencies_us);
    }
    all.elapsed = started.elapsed();
    all.latencies_us.sort_unstable();
    all
}

fn has_errors(body: &[u8]) -> bool {
    let s = String::from_utf8_lossy(body);
    s.contains("\"errors\"") || (s.contains("\"userErrors\"") && !s.contains("\"userErrors\":[]"))
}
