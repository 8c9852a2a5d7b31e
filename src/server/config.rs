//! Configuration from environment variables (documented in README.md).
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// An external database; when unset the server runs its own Postgres under `data_dir`.
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub database_max_connections: u32,
    /// Cookies are marked Secure when the public URL is https.
    pub secure_cookies: bool,
    pub log_json: bool,
}

impl Config {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Config {
            database_url: var("DATABASE_URL"),
            data_dir: var("MSF_DATA_DIR").map(PathBuf::from).unwrap_or_else(default_data_dir),
            database_max_connections: var("DATABASE_MAX_CONNECTIONS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(10),
            secure_cookies: var("PUBLIC_URL").is_some_and(|u| u.starts_with("https://")),
            log_json: var("LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
        }
    }
}

pub fn default_data_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")).join(".data")
}
