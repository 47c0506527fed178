//! Timing statistics for the benchmarks that measure whole programs (criterion measures
//! functions, not a server behind a pipe).

use serde_json::{Value, json};
use std::time::Duration;

/// A set of timings, sorted.
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn new(mut times: Vec<Duration>) -> Samples {
        assert!(!times.is_empty(), "no timings taken");
        times.sort();
        Samples(times)
    }

    /// The `q` quantile (0.5 is the median), by the nearest-rank method.
    pub fn quantile(&self, q: f64) -> Duration {
        let rank = (q * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    pub fn p50(&self) -> Duration {
        self.quantile(0.5)
    }

    pub fn p95(&self) -> Duration {
        self.quantile(0.95)
    }

    pub fn min(&self) -> Duration {
        self.0[0]
    }

    pub fn max(&self) -> Duration {
        self.0[self.0.len() - 1]
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `{"n", "min_ms", "p50_ms", "p95_ms", "max_ms"}`.
    pub fn json(&self) -> Value {
        json!({
            "n": self.len(),
            "min_ms": ms(self.min()),
            "p50_ms": ms(self.p50()),
            "p95_ms": ms(self.p95()),
            "max_ms": ms(self.max()),
        })
    }
}

/// Milliseconds, rounded to microseconds.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// A duration for the tables: `0.231 ms`.
pub fn show(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// `uptime`'s load averages, to print beside the numbers: the machine may be shared.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}
