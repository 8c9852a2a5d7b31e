//! The background-job queue: a Postgres table claimed with FOR UPDATE SKIP LOCKED, so any
//! number of workers (in any number of server processes) share it without double work.
//! Here are the job and its retry policy; the queries are in [`db::jobs`](super::db::jobs).
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// A job running longer than this is taken to belong to a crashed worker and is retried.
pub const STALE_AFTER_SECONDS: f64 = 15.0 * 60.0;

/// 10 s, 20 s, 40 s … capped at one hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exponent = attempts.clamp(1, 20) - 1;
    chrono::Duration::seconds((10_i64 << exponent).min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1).num_seconds(), 10);
        assert_eq!(backoff(2).num_seconds(), 20);
        assert_eq!(backoff(3).num_seconds(), 40);
        assert_eq!(backoff(30).num_seconds(), 3600);
    }
}
