//! What every request handler and server function can reach.
use std::path::PathBuf;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::db::Db;
use super::media::Storage;
use super::signing::Signer;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub storage: Storage,
    /// Where uploads are staged while they are checked (a local folder, even with S3).
    pub staging_dir: PathBuf,
    /// A transcription engine is configured; new recordings are queued for it.
    pub transcription_enabled: bool,
    /// SMTP is set up; without it mail lands in the outbox and nobody receives it.
    #[from_ref(skip)]
    pub email_sends: bool,
    /// The address people open the app at, for links in mail (no trailing slash).
    pub public_url: String,
    /// Signs unsubscribe links.
    pub signer: Signer,
    /// The header a trusted reverse proxy puts the client's address in (MSF_CLIENT_IP_HEADER).
    pub client_ip_header: Option<http::HeaderName>,
    /// Storage allowed per campaign and per owner.
    pub quota: super::limits::Quota,
    /// Prices and takes printed-book orders (MSF_PRINT_PROVIDER, MSF_PRICE_TABLE).
    #[from_ref(skip)]
    pub printer: super::orders::Printer,
    /// MSF_INBOUND_SECRET: the shared secret of `POST /inbound/email` (unset: the route is off).
    #[from_ref(skip)]
    pub inbound_secret: Option<String>,
    /// REPLY_ADDRESS is set: question emails invite a reply and carry the reply key (else a
    /// reply would reach nobody, so they don't ask for one).
    #[from_ref(skip)]
    pub replies_by_email: bool,
}

impl AppState {
    pub fn uploads_dir(&self) -> PathBuf {
        self.staging_dir.clone()
    }
}
