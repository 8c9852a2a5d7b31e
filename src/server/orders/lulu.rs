//! A client for Lulu's Print API: prices with shipping and tax, checks the book's files,
//! sends print jobs, follows them, and reads Lulu's webhooks.
//!
//! Every request follows Lulu's API reference, <https://api.lulu.com/docs/> (the OpenAPI
//! document "Universal Publishing Platform API" v1); the sandbox is <https://api.sandbox.lulu.com>.
//!
//! - Access token: "Getting Started › Generate a Token". POST
//!   `/auth/realms/glasstree/protocol/openid-connect/token`, form body
//!   `grant_type=client_credentials`, `Authorization: Basic base64(client_key:client_secret)`;
//!   answers `access_token` and `expires_in` (seconds). Every other request carries
//!   `Authorization: Bearer <access_token>` ("Make authenticated requests").
//! - Prices: operation `Print-Job-cost-calculations_create`, POST `/print-job-cost-calculations/`
//!   (`line_items`, `shipping_address`, `shipping_option`); every amount is a decimal string.
//! - Files: "Validate files", operations `Validate-Interior_create` / `Validate-Interior_read`
//!   (POST `/validate-interior/`, GET `/validate-interior/{id}/`) and `Validate-Cover_create` /
//!   `Validate-Cover_read` (POST `/validate-cover/`, GET `/validate-cover/{id}/`).
//! - Print jobs: "Create a Print-Job" and `Print-Jobs_create` (POST `/print-jobs/`),
//!   `Print-Jobs_read` (GET `/print-jobs/{id}/`), `Print-Jobs_list` (GET `/print-jobs/?search=`),
//!   `Print-Jobs_status_cancel` (PUT `/print-jobs/{id}/status/`); the statuses are those of
//!   "Check Print-Job Status", the tracking fields those of "Shipping Notification".
//! - Webhooks: "Webhooks" and "PRINT_JOB_STATUS_CHANGED topic": the body is
//!   `{"topic": ..., "data": <the print job, as Print-Jobs_read answers>}`, signed in the
//!   `Lulu-HMAC-SHA256` header with HMAC-SHA256 of the raw body keyed with the API secret.
//! - Products: "Select a Product" and the "POD Package Migration Notice": the dotted
//!   `pod_package_id` (`0600X0900.BW.STD.PB.060UW444.MXX`), Lulu's format since 31 March 2026;
//!   the undotted 27-character form is accepted only until 1 February 2027.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::{header, Method, StatusCode, Url};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::price::Priced;
use crate::model::book::TrimSize;
use crate::model::order::{OrderStatus, PrintOptions, ShippingAddress, ShippingLevel};

pub const SANDBOX_URL: &str = "https://api.sandbox.lulu.com";
pub const PRODUCTION_URL: &str = "https://api.lulu.com";
/// The header that carries a webhook's signature.
pub const WEBHOOK_SIGNATURE_HEADER: &str = "Lulu-HMAC-SHA256";
/// The only webhook topic Lulu sends.
pub const WEBHOOK_TOPIC: &str = "PRINT_JOB_STATUS_CHANGED";

const TOKEN_PATH: &str = "/auth/realms/glasstree/protocol/openid-connect/token";
/// A token is replaced this long before Lulu says it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// How long a price is reused for the same book, options and address.
const COST_TTL: Duration = Duration::from_secs(10 * 60);
const COST_CACHE_SIZE: usize = 256;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Lulu's limit for a line item's title.
const TITLE_MAX_BYTES: usize = 255;

/// Where Lulu is and who we are there.
#[derive(Clone)]
pub struct LuluConfig {
    /// [`SANDBOX_URL`] or [`PRODUCTION_URL`].
    pub base_url: String,
    pub client_key: String,
    pub client_secret: String,
    /// Time between two looks at a file Lulu is still checking.
    pub poll_interval: Duration,
    /// Looks at a file being checked before giving up (a transient error: try again later).
    pub poll_attempts: u32,
}

impl LuluConfig {
    /// Looks at a file being checked every 5 seconds, for up to 10 minutes.
    pub fn new(base_url: impl Into<String>, client_key: impl Into<String>, client_secret: impl Into<String>) -> Self {
        LuluConfig {
            base_url: base_url.into(),
            client_key: client_key.into(),
            client_secret: client_secret.into(),
            poll_interval: Duration::from_secs(5),
            poll_attempts: 120,
        }
    }
}

/// The secret stays out of logs.
impl std::fmt::Debug for LuluConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LuluConfig")
            .field("base_url", &self.base_url)
            .field("client_key", &self.client_key)
            .field("poll_interval", &self.poll_interval)
            .field("poll_attempts", &self.poll_attempts)
            .finish_non_exhaustive()
    }
}

/// What went wrong, sorted by what the caller should do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LuluError {
    /// Try again later: Lulu answered 5xx, 408 or 429, timed out or couldn't be reached, gave
    /// an answer that couldn't be read, or was still checking a file. After a transient error
    /// on `create_print_job` the job may exist: look for it with `find_print_job` first.
    #[error("Lulu can't be reached just now: {0}")]
    Transient(String),
    /// Lulu refused the request (a 4xx); the text is Lulu's reason, in words.
    #[error("Lulu refused the request: {0}")]
    Rejected(String),
    /// Lulu checked the file and can't print it; one message per problem, Lulu's words.
    #[error("Lulu can't print the file: {}", .0.join(" "))]
    FileRefused(Vec<String>),
    /// Our side needs fixing: credentials refused (401 even with a fresh token), 403, a bad
    /// base URL.
    #[error("The connection to Lulu is misconfigured: {0}")]
    Misconfigured(String),
}

impl LuluError {
    pub fn is_transient(&self) -> bool {
        matches!(self, LuluError::Transient(_))
    }
}

/// What Lulu charges us for one print job, exact to the cent, in Lulu's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cost {
    pub currency: String,
    pub quantity: i32,
    /// One copy's printing, after Lulu's discounts, before tax.
    pub unit: Decimal,
    /// All copies' printing, after discounts, before tax.
    pub printing: Decimal,
    /// Shipping and handling, before tax.
    pub shipping: Decimal,
    /// What the total holds besides printing and shipping (Lulu's fulfilment fee), before tax.
    pub fees: Decimal,
    pub tax: Decimal,
    /// What Lulu charges, tax included.
    pub total: Decimal,
}

impl Cost {
    /// The price at Lulu's cost: fees are shown with shipping, so the lines add up to the total.
    pub fn priced(&self) -> Priced {
        Priced {
            unit: self.unit,
            printing: self.printing,
            shipping: self.shipping + self.fees,
            tax: Some(self.tax),
            total: self.total,
            currency: self.currency.clone(),
        }
    }
}

/// One book to print: everything Lulu needs to take the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPrintJob {
    /// Our order number: Lulu's `external_id` for the job and its line, what
    /// [`Lulu::find_print_job`] looks for.
    pub external_id: String,
    /// Whom Lulu asks about the job (us, not the family).
    pub contact_email: String,
    /// The recipient's email, for the carrier's delivery notices; without it Lulu uses our
    /// account's.
    pub recipient_email: Option<String>,
    /// The book's title, cut to Lulu's 255 bytes.
    pub title: String,
    pub quantity: i32,
    pub pod_package_id: String,
    /// Public URLs Lulu downloads the PDFs from.
    pub interior_url: String,
    pub cover_url: String,
    pub address: ShippingAddress,
    pub shipping: ShippingLevel,
}

/// Lulu's Print API, for one account.
pub struct Lulu {
    config: LuluConfig,
    base: String,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<Token>>,
    costs: std::sync::Mutex<HashMap<String, (Instant, Cost)>>,
}

impl std::fmt::Debug for Lulu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lulu").field("base_url", &self.base).finish_non_exhaustive()
    }
}

#[derive(Clone)]
struct Token {
    value: String,
    fresh_until: Instant,
}

impl Lulu {
    pub fn new(config: LuluConfig) -> Result<Self, LuluError> {
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        if !Url::parse(&base).is_ok_and(|url| matches!(url.scheme(), "http" | "https")) {
            return Err(LuluError::Misconfigured(format!("the Lulu API address {base:?} is not a web address")));
        }
        if config.client_key.trim().is_empty() || config.client_secret.trim().is_empty() {
            return Err(LuluError::Misconfigured("the Lulu client key and secret are required".into()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|err| LuluError::Misconfigured(format!("the HTTP client could not start: {err}")))?;
        Ok(Lulu {
            config,
            base,
            http,
            token: tokio::sync::Mutex::new(None),
            costs: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// [`verify_webhook`] with this account's secret.
    pub fn verify_webhook(&self, signature: Option<&str>, body: &[u8]) -> bool {
        verify_webhook(&self.config.client_secret, signature, body)
    }

    /// What Lulu charges to print and ship these options (Print-Job-cost-calculations_create).
    /// The same request within 10 minutes is answered from memory.
    pub async fn cost(
        &self,
        options: &PrintOptions,
        trim: TrimSize,
        pages: i32,
        address: &ShippingAddress,
    ) -> Result<Cost, LuluError> {
        let pod = pod_package_id(trim, options.binding, options.interior, options.paper, options.finish)
            .map_err(LuluError::Rejected)?;
        let body = to_json(&CostRequest {
            line_items: [CostLine { page_count: pages, pod_package_id: &pod, quantity: options.quantity }],
            shipping_address: AddressJson::new(address, None, None),
            shipping_option: options.shipping.as_str(),
        })?;
        if let Some(cost) = self.cached_cost(&body) {
            return Ok(cost);
        }
        let answer: CostJson = self.call(Method::POST, self.url("/print-job-cost-calculations/")?, Some(&body)).await?;
        let cost = answer.into_cost(options.quantity)?;
        self.remember_cost(body, cost.clone());
        Ok(cost)
    }

    /// Has Lulu check (and normalise) the interior PDF for this product and waits for the
    /// verdict: `Ok`, or `FileRefused` with Lulu's reasons.
    pub async fn validate_interior(&self, source_url: &str, pod_package_id: &str) -> Result<(), LuluError> {
        let body = to_json(&serde_json::json!({ "source_url": source_url, "pod_package_id": pod_package_id }))?;
        self.validate("interior", "/validate-interior/", body).await
    }

    /// Has Lulu check the cover PDF (its size depends on the interior's page count) and waits
    /// for the verdict.
    pub async fn validate_cover(
        &self,
        source_url: &str,
        pod_package_id: &str,
        interior_page_count: i32,
    ) -> Result<(), LuluError> {
        let body = to_json(&serde_json::json!({
            "source_url": source_url,
            "pod_package_id": pod_package_id,
            "interior_page_count": interior_page_count,
        }))?;
        self.validate("cover", "/validate-cover/", body).await
    }

    /// Sends the job to Lulu (Print-Jobs_create). Not idempotent: after a transient error,
    /// look for the job with [`Lulu::find_print_job`] before sending it again.
    pub async fn create_print_job(&self, job: &NewPrintJob) -> Result<JobUpdate, LuluError> {
        let body = to_json(&JobRequest {
            contact_email: &job.contact_email,
            external_id: &job.external_id,
            line_items: [JobLine {
                external_id: &job.external_id,
                title: clip(&job.title, TITLE_MAX_BYTES),
                quantity: job.quantity,
                printable_normalization: Normalization {
                    cover: Source { source_url: &job.cover_url },
                    interior: Source { source_url: &job.interior_url },
                    pod_package_id: &job.pod_package_id,
                },
            }],
            shipping_address: AddressJson::new(
                &job.address,
                Some(&job.address.name),
                job.recipient_email.as_deref().filter(|e| !e.is_empty()),
            ),
            shipping_level: job.shipping.as_str(),
        })?;
        let answer: JobJson = self.call(Method::POST, self.url("/print-jobs/")?, Some(&body)).await?;
        let update = answer.into_update();
        tracing::info!(lulu_job = update.id, external_id = %job.external_id, status = %update.status, "print job sent to Lulu");
        Ok(update)
    }

    /// The job as Lulu has it now (Print-Jobs_read).
    pub async fn print_job(&self, id: i64) -> Result<JobUpdate, LuluError> {
        let answer: JobJson = self.call(Method::GET, self.url(&format!("/print-jobs/{id}/"))?, None).await?;
        Ok(answer.into_update())
    }

    /// The job sent for this order number, if any (Print-Jobs_list, `search`): to find a job
    /// whose creation answer was lost instead of sending a second one. Of several, a live one
    /// (not cancelled or rejected) wins, then the newest.
    pub async fn find_print_job(&self, external_id: &str) -> Result<Option<JobUpdate>, LuluError> {
        let mut url = self.url("/print-jobs/")?;
        url.query_pairs_mut().append_pair("search", external_id);
        let list: JobList = self.call(Method::GET, url, None).await?;
        let found = list
            .results
            .unwrap_or_default()
            .into_iter()
            .filter(|job| job.external_id.as_deref() == Some(external_id))
            .map(JobJson::into_update)
            .max_by_key(|job| {
                (!matches!(job.mapped, Mapped::Rejected | Mapped::Status(OrderStatus::Cancelled)), job.id)
            });
        Ok(found)
    }

    /// Cancels a job Lulu hasn't started printing (Print-Jobs_status_cancel); Lulu refuses
    /// (`Rejected`) once it is paid for and in production.
    pub async fn cancel_print_job(&self, id: i64) -> Result<(), LuluError> {
        let body = to_json(&serde_json::json!({ "name": "CANCELED" }))?;
        let status: StatusJson =
            self.call(Method::PUT, self.url(&format!("/print-jobs/{id}/status/"))?, Some(&body)).await?;
        match status.name.as_str() {
            "CANCELED" => Ok(()),
            other => Err(LuluError::Rejected(
                status.message.unwrap_or_else(|| format!("The print job is {other}, not cancelled.")),
            )),
        }
    }

    fn url(&self, path: &str) -> Result<Url, LuluError> {
        Url::parse(&format!("{}{path}", self.base))
            .map_err(|err| LuluError::Misconfigured(format!("bad Lulu address for {path}: {err}")))
    }

    /// A token fresh for at least another minute (or half its life, if shorter).
    async fn token(&self) -> Result<String, LuluError> {
        // Held while fetching: concurrent requests wait for one new token.
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref().filter(|t| Instant::now() < t.fresh_until) {
            return Ok(token.value.clone());
        }
        let token = self.fetch_token().await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    async fn fetch_token(&self) -> Result<Token, LuluError> {
        #[derive(Deserialize)]
        struct TokenJson {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let response = self
            .http
            .post(self.url(TOKEN_PATH)?)
            .basic_auth(&self.config.client_key, Some(&self.config.client_secret))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body("grant_type=client_credentials")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        if status.is_success() {
            let token: TokenJson = serde_json::from_slice(&body)
                .map_err(|err| LuluError::Transient(format!("Lulu's access token could not be read: {err}")))?;
            if token.access_token.is_empty() {
                return Err(LuluError::Transient("Lulu answered without an access token".into()));
            }
            let life = Duration::from_secs(token.expires_in.unwrap_or(300));
            let fresh_until = Instant::now() + life - TOKEN_MARGIN.min(life / 2);
            return Ok(Token { value: token.access_token, fresh_until });
        }
        if matches!(status, StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            let said = readable(&body).map(|s| format!(": {s}")).unwrap_or_default();
            tracing::error!(status = status.as_u16(), "Lulu refused our client key and secret");
            return Err(LuluError::Misconfigured(format!(
                "Lulu refused the client key and secret (HTTP {}){said}",
                status.as_u16()
            )));
        }
        Err(failure(status, &body))
    }

    /// Drops the token a request was refused with (unless another request already replaced it).
    async fn forget(&self, used: &str) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == used) {
            *slot = None;
        }
    }

    /// One API request with the bearer token; a 401 gets a new token and one more try.
    async fn call<T: DeserializeOwned>(&self, method: Method, url: Url, body: Option<&str>) -> Result<T, LuluError> {
        let mut refreshed = false;
        loop {
            let token = self.token().await?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&token)
                .header(header::ACCEPT, "application/json");
            if let Some(body) = body {
                request = request.header(header::CONTENT_TYPE, "application/json").body(body.to_owned());
            }
            let response = request.send().await.map_err(transport)?;
            let status = response.status();
            let bytes = response.bytes().await.map_err(transport)?;
            if status == StatusCode::UNAUTHORIZED {
                self.forget(&token).await;
                if !refreshed {
                    refreshed = true;
                    tracing::info!(path = url.path(), "Lulu refused the access token; asking for a new one");
                    continue;
                }
                tracing::error!(path = url.path(), "Lulu refused a fresh access token");
                return Err(LuluError::Misconfigured(format!(
                    "Lulu refused a fresh access token for {} {}",
                    method,
                    url.path()
                )));
            }
            if !status.is_success() {
                let err = failure(status, &bytes);
                tracing::warn!(%method, path = url.path(), status = status.as_u16(), error = %err, "Lulu refused a request");
                return Err(err);
            }
            return serde_json::from_slice(&bytes).map_err(|err| {
                tracing::error!(%method, path = url.path(), error = %err, "Lulu's answer could not be read");
                LuluError::Transient(format!("Lulu's answer could not be read: {err}"))
            });
        }
    }

    /// Starts a file check and looks again until Lulu has a verdict or the attempts run out.
    async fn validate(&self, file: &str, path: &str, body: String) -> Result<(), LuluError> {
        let mut check: ValidationJson = self.call(Method::POST, self.url(path)?, Some(&body)).await?;
        let mut attempts = 0;
        loop {
            match check.status.as_deref() {
                Some("NORMALIZED") => return Ok(()),
                Some("ERROR") => {
                    let reasons = check.reasons(file);
                    tracing::info!(file, reasons = ?reasons, "Lulu refused a file");
                    return Err(LuluError::FileRefused(reasons));
                }
                // VALIDATED is final when no product was named; with one, Lulu normalises next.
                _ => {}
            }
            if attempts >= self.config.poll_attempts {
                if check.status.as_deref() == Some("VALIDATED") {
                    tracing::info!(file, "Lulu validated the file but didn't report normalising it; taking it as good");
                    return Ok(());
                }
                return Err(LuluError::Transient(format!(
                    "Lulu was still checking the {file} file after {attempts} looks (status {})",
                    check.status.as_deref().unwrap_or("none")
                )));
            }
            attempts += 1;
            tokio::time::sleep(self.config.poll_interval).await;
            match self.call(Method::GET, self.url(&format!("{path}{}/", check.id))?, None).await {
                Ok(next) => check = next,
                Err(err) if err.is_transient() => {
                    tracing::warn!(file, error = %err, "could not look at a file check; trying again");
                }
                Err(err) => return Err(err),
            }
        }
    }

    fn cached_cost(&self, key: &str) -> Option<Cost> {
        let cache = self.costs.lock().ok()?;
        cache.get(key).filter(|(at, _)| at.elapsed() < COST_TTL).map(|(_, cost)| cost.clone())
    }

    fn remember_cost(&self, key: String, cost: Cost) {
        let Ok(mut cache) = self.costs.lock() else {
            return;
        };
        if cache.len() >= COST_CACHE_SIZE {
            cache.retain(|_, (at, _)| at.elapsed() < COST_TTL);
        }
        if cache.len() >= COST_CACHE_SIZE {
            let oldest = cache.iter().min_by_key(|(_, (at, _))| *at).map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                cache.remove(&oldest);
            }
        }
        cache.insert(key, (Instant::now(), cost));
    }
}

mod answers;
mod product;
mod updates;
mod wire;
use answers::{clip, describe, failure, readable, to_json, transport};
pub use product::pod_package_id;
pub use updates::{map_status, parse_webhook, verify_webhook, JobUpdate, Mapped, Tracking};
use wire::*;

#[cfg(test)]
mod tests;
