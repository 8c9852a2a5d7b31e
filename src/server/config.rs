//! Configuration from environment variables (documented in README.md).
use std::path::PathBuf;

use super::media::storage::S3Config;

#[derive(Debug, Clone)]
pub struct Config {
    /// An external database; when unset the server runs its own Postgres under `data_dir`.
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub database_max_connections: u32,
    /// Cookies are marked Secure when the public URL is https.
    pub secure_cookies: bool,
    pub log_json: bool,
    /// S3-compatible media storage; media goes to `data_dir/media` when unset.
    pub s3: Option<S3Config>,
    pub transcriber: TranscriberConfig,
    /// The address people open the app at, for links in mail.
    pub public_url: String,
    /// `smtp://…` or `smtps://…`; unset: mail is written to `data_dir/outbox`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// REPLY_ADDRESS: the mailbox storytellers' replies reach (`replies+KEY@…`, #18).
    pub reply_address: Option<String>,
    /// MSF_INBOUND_SECRET: what an inbound-mail service sends in `X-Inbound-Secret` to
    /// `POST /inbound/email`; unset, that route answers 401 to everyone.
    pub inbound_secret: Option<String>,
    /// IMAP_URL: a mailbox the server watches for emailed replies (`replies::imap`).
    pub imap_url: Option<String>,
    /// 64 hex digits; unset: a key generated once and kept in the database.
    pub secret_key: Option<String>,
    /// MSF_CLIENT_IP_HEADER: set only behind a reverse proxy that always sets it.
    pub client_ip_header: Option<http::HeaderName>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TranscriberConfig {
    Off,
    /// An OpenAI-compatible `POST /v1/audio/transcriptions` service.
    Http {
        base_url: String,
        api_key: Option<String>,
        model: String,
    },
    /// Our own worker (transcriber/server.py: faster-whisper, tiny.en, offline).
    Local {
        python: PathBuf,
        script: PathBuf,
    },
}

impl Config {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let data_dir = var("MSF_DATA_DIR").map(PathBuf::from).unwrap_or_else(default_data_dir);
        let s3 = var("MSF_S3_BUCKET").map(|bucket| S3Config {
            bucket,
            endpoint: var("MSF_S3_ENDPOINT"),
            region: var("MSF_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
            access_key_id: var("MSF_S3_ACCESS_KEY_ID"),
            secret_access_key: var("MSF_S3_SECRET_ACCESS_KEY"),
        });
        let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let local = TranscriberConfig::Local {
            python: var("MSF_PYTHON").map(PathBuf::from).unwrap_or_else(|| here.join(".venv/bin/python")),
            script: here.join("transcriber/server.py"),
        };
        let transcriber = match var("MSF_TRANSCRIBER").as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("off") => TranscriberConfig::Off,
            Some("http") => match var("MSF_TRANSCRIBE_URL") {
                Some(base_url) => TranscriberConfig::Http {
                    base_url,
                    api_key: var("MSF_TRANSCRIBE_API_KEY"),
                    model: var("MSF_TRANSCRIBE_MODEL").unwrap_or_else(|| "whisper-1".into()),
                },
                None => TranscriberConfig::Off,
            },
            Some("local") => local,
            // By default: the local worker when the setup script has installed it.
            _ => match &local {
                TranscriberConfig::Local { python, script } if python.exists() && script.exists() => local,
                _ => TranscriberConfig::Off,
            },
        };
        let public_url = var("PUBLIC_URL").unwrap_or_else(|| {
            let addr = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
            format!("http://{addr}")
        });
        Config {
            public_url: public_url.trim_end_matches('/').to_owned(),
            smtp_url: var("SMTP_URL"),
            secret_key: var("MSF_SECRET_KEY"),
            client_ip_header: var("MSF_CLIENT_IP_HEADER").and_then(|h| http::HeaderName::try_from(h.trim()).ok()),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| "MyStoryFlow <no-reply@mystoryflow.local>".into()),
            reply_address: var("REPLY_ADDRESS"),
            inbound_secret: var("MSF_INBOUND_SECRET"),
            imap_url: var("IMAP_URL"),
            database_url: var("DATABASE_URL"),
            data_dir,
            database_max_connections: var("DATABASE_MAX_CONNECTIONS").and_then(|v| v.parse().ok()).unwrap_or(10),
            secure_cookies: var("PUBLIC_URL").is_some_and(|u| u.starts_with("https://")),
            log_json: var("LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
            s3,
            transcriber,
        }
    }
}

pub fn default_data_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")).join(".data")
}
