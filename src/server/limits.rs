//! Rate limits on what a stranger can repeat: wrong passwords, sign-ups, invitations.
//! Counted in the database ([`db::limits`](super::db::limits)), so they hold across every app
//! instance, and argon2 behind a semaphore, so a burst of logins cannot take all memory.
use std::net::IpAddr;
use std::sync::LazyLock;

use http::HeaderMap;
use tokio::sync::Semaphore;

use uuid::Uuid;

use super::db::{limits, Db};
use crate::error::AppError;
use crate::model::account::human_bytes;

/// One limit: at most `max` hits per `window_seconds` in a bucket.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    name: &'static str,
    max: i32,
    /// An environment variable that replaces `max` (an operator's or the browser tests' choice).
    max_from: Option<&'static str>,
    window_seconds: i32,
    message: &'static str,
}

pub const WRONG_PASSWORD_PER_ACCOUNT: Rule = Rule {
    name: "wrong-password:account",
    max: 5,
    max_from: Some("MSF_WRONG_PASSWORDS_PER_MINUTE"),
    window_seconds: 60,
    message: "Too many wrong passwords for this account. To keep it safe, please wait a minute and try again.",
};
pub const WRONG_PASSWORD_PER_ADDRESS: Rule = Rule {
    name: "wrong-password:ip",
    max: 5,
    max_from: Some("MSF_WRONG_PASSWORDS_PER_MINUTE"),
    window_seconds: 60,
    message: "Too many wrong passwords from this network. Please wait a minute and try again.",
};
pub const SIGN_UPS_PER_ADDRESS: Rule = Rule {
    name: "sign-up:ip",
    max: 10,
    max_from: Some("MSF_SIGN_UPS_PER_HOUR"),
    window_seconds: 3600,
    message: "Too many accounts were made from this network in the last hour. Please try again later.",
};
/// Sign-up emails to one address (a confirmation link, or "you already have an account"):
/// past this the sign-up answers the same and sends nothing, so nobody can flood a mailbox.
pub const SIGN_UP_MAILS_PER_EMAIL: Rule = Rule {
    name: "sign-up-mail:email",
    max: 3,
    max_from: None,
    window_seconds: 3600,
    message: "Several sign-up emails went to this address in the last hour.",
};
/// Reset and sign-in link requests from one network.
pub const RECOVERY_PER_ADDRESS: Rule = Rule {
    name: "recovery:ip",
    max: 20,
    max_from: Some("MSF_SIGN_UPS_PER_HOUR"),
    window_seconds: 3600,
    message: "Many links were asked for from this network in the last hour. Please try again later.",
};
/// Reset and sign-in emails to one address: past this the page answers the same and sends
/// nothing, so nobody can flood a mailbox.
pub const RECOVERY_MAILS_PER_EMAIL: Rule = Rule {
    name: "recovery-mail:email",
    max: 3,
    max_from: None,
    window_seconds: 3600,
    message: "Several links went to this address in the last hour.",
};
/// Answers sent from one storyteller link: far more than anyone answers in an hour.
pub const ANSWERS_PER_LINK: Rule = Rule {
    name: "answer:campaign",
    max: 30,
    max_from: None,
    window_seconds: 3600,
    message: "Many answers were sent in the last hour. Thank you! Please wait a little before sending more.",
};
pub const INVITATIONS_PER_USER: Rule = Rule {
    name: "invitation:user",
    max: 30,
    max_from: None,
    window_seconds: 3600,
    message: "You have sent many invitations in the last hour. Please wait a while before sending more.",
};
pub const RENDERS_PER_USER: Rule = Rule {
    name: "render:user",
    max: 20,
    max_from: None,
    window_seconds: 3600,
    message: "You have made many PDFs in the last hour. Please wait a while before making another.",
};
pub const ORDERS_PER_USER: Rule = Rule {
    name: "order:user",
    max: 20,
    max_from: None,
    window_seconds: 3600,
    message: "You have placed many orders in the last hour. Please wait a while, or write to us if you need more.",
};

impl Rule {
    pub fn max(&self) -> i32 {
        self.max_from.and_then(|name| std::env::var(name).ok()?.trim().parse().ok()).unwrap_or(self.max)
    }

    fn bucket(&self, key: &str) -> String {
        // Keys are emails or addresses: bounded so a huge one cannot bloat the table.
        let key: String = key.trim().to_lowercase().chars().take(320).collect();
        format!("{}:{key}", self.name)
    }

    fn refused(&self) -> AppError {
        AppError::TooMany(self.message.to_owned())
    }

    /// Refuses when the bucket is already full, without counting (for failures counted later).
    pub async fn check(&self, db: &Db, key: &str) -> Result<(), AppError> {
        if limits::hits(db, &self.bucket(key), self.window_seconds).await? >= self.max() {
            return Err(self.refused());
        }
        Ok(())
    }

    /// Counts one hit; refuses it when it goes over the limit.
    pub async fn hit(&self, db: &Db, key: &str) -> Result<(), AppError> {
        if limits::hit(db, &self.bucket(key), self.window_seconds).await? > self.max() {
            return Err(self.refused());
        }
        Ok(())
    }

    /// Counts one hit that has already happened (a wrong password).
    pub async fn record(&self, db: &Db, key: &str) -> Result<(), AppError> {
        limits::hit(db, &self.bucket(key), self.window_seconds).await?;
        Ok(())
    }
}

/// How much recording and photo storage the server allows (MSF_STORAGE_PER_CAMPAIGN_GB, 10;
/// MSF_STORAGE_PER_OWNER_GB, 25: everything in the campaigns one person owns).
/// Also the subscription tiers' limits (MSF_TIER_LIMITS, see [`Tiers`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub per_campaign: i64,
    pub per_owner: i64,
    pub tiers: Tiers,
}

impl Quota {
    /// A malformed MSF_TIER_LIMITS counts as unlimited here; the server refuses to start with
    /// it (`Tiers::from_env`), so this only matters to tools.
    pub fn from_env() -> Self {
        let gb = |name: &str, default: f64| {
            let value = std::env::var(name).ok().and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| *v > 0.0);
            (value.unwrap_or(default) * 1e9) as i64
        };
        Quota {
            per_campaign: gb("MSF_STORAGE_PER_CAMPAIGN_GB", 10.0),
            per_owner: gb("MSF_STORAGE_PER_OWNER_GB", 25.0),
            tiers: Tiers::from_env().unwrap_or_default(),
        }
    }
}

/// What one subscription tier may have; `None` is unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierLimits {
    /// Campaigns owned that are not archived or completed.
    pub active_campaigns: Option<u32>,
    /// Stories with a recording, in the campaigns owned.
    pub recorded_stories: Option<u32>,
    /// Books, in the campaigns owned.
    pub books: Option<u32>,
}

/// The tiers of users.subscription_status, each with its limits: the one table an operator
/// running the app for many families sets (MSF_TIER_LIMITS, JSON, e.g.
/// `{"free": {"active_campaigns": 1, "recorded_stories": 25, "books": 1}}`). Unset, as a
/// family's own server wants, nothing is limited. An expired tier counts as free.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    #[serde(default)]
    pub free: TierLimits,
    #[serde(default)]
    pub premium: TierLimits,
    #[serde(default)]
    pub enterprise: TierLimits,
}

impl Tiers {
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map_err(|err| format!("MSF_TIER_LIMITS is not valid: {err}"))
    }

    pub fn from_env() -> Result<Self, String> {
        match std::env::var("MSF_TIER_LIMITS") {
            Ok(json) if !json.trim().is_empty() => Self::parse(&json),
            _ => Ok(Tiers::default()),
        }
    }

    fn of(&self, tier: &str) -> TierLimits {
        match tier {
            "premium" => self.premium,
            "enterprise" => self.enterprise,
            _ => self.free,
        }
    }
}

/// What a tier limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    ActiveCampaigns,
    /// Recordings, besides the one of this story (a new recording of a story replaces it).
    RecordedStories {
        besides: Uuid,
    },
    Books,
}

/// Refuses one more `what` for `owner` (whose tier decides) when their tier's limit is
/// reached, naming the limit. Nothing that exists is hidden or removed.
pub async fn ensure_tier_allows(db: &Db, tiers: Tiers, owner: Uuid, what: Counted) -> Result<(), AppError> {
    if tiers == Tiers::default() {
        return Ok(());
    }
    let besides = match what {
        Counted::RecordedStories { besides } => Some(besides),
        _ => None,
    };
    let usage = limits::tier_usage(db, owner, besides).await?;
    let limits = tiers.of(&usage.tier);
    let (limit, used, noun, way_out) = match what {
        Counted::ActiveCampaigns => (
            limits.active_campaigns,
            usage.active_campaigns,
            ("active campaign", "active campaigns"),
            "Archive one to start another",
        ),
        Counted::RecordedStories { .. } => (
            limits.recorded_stories,
            usage.recorded_stories,
            ("recorded story", "recorded stories"),
            "Written stories are not limited",
        ),
        Counted::Books => (limits.books, usage.books, ("book", "books"), "Delete a book to make another"),
    };
    match limit {
        Some(limit) if used >= i64::from(limit) => Err(AppError::Conflict(format!(
            "The {} plan on this server allows {limit} {}{}. {way_out}, or ask whoever runs this server about a larger plan.",
            usage.tier,
            if limit == 1 { noun.0 } else { noun.1 },
            if matches!(what, Counted::ActiveCampaigns) { "" } else { " in the campaigns you own" },
        ))),
        _ => Ok(()),
    }
}

/// The owner of a campaign (tier limits count against the owner).
pub async fn campaign_owner(db: &Db, campaign_id: Uuid) -> Result<Uuid, AppError> {
    limits::campaign_owner(db, campaign_id).await?.ok_or(AppError::NotFound)
}

/// Refuses an upload of `adding` bytes that would take the campaign or its owner past the
/// quota, before anything is stored.
/// Whether `adding` bytes fit campaign `campaign_id` (whose access the caller has checked).
pub async fn ensure_room(db: &Db, quota: Quota, campaign_id: Uuid, adding: u64) -> Result<(), AppError> {
    let (campaign, owner) = limits::storage_used(db, campaign_id).await?;
    let adding = adding as i64;
    let full = |used: i64, limit: i64, whose: &str| {
        AppError::TooLarge(format!(
            "There is no room for this file: {whose} already use {} of the {} this server allows. \
             Removing recordings or photos makes room, or ask whoever runs this server for more.",
            human_bytes(used),
            human_bytes(limit)
        ))
    };
    if campaign + adding > quota.per_campaign {
        return Err(full(campaign, quota.per_campaign, "this family's stories"));
    }
    if owner + adding > quota.per_owner {
        return Err(full(owner, quota.per_owner, "the campaigns of this family's owner"));
    }
    Ok(())
}

/// The client's address: from `trusted_header` when the app runs behind a reverse proxy
/// that sets it (the last address in it, the one the proxy added), else the TCP peer.
pub fn client_ip(
    headers: &HeaderMap,
    trusted_header: Option<&http::HeaderName>,
    peer: Option<IpAddr>,
) -> Option<IpAddr> {
    match trusted_header {
        Some(name) => headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok()),
        None => peer,
    }
}

/// At most this many password hashes at once (each holds 19 MiB for its duration): more
/// wait their turn instead of growing memory.
static ARGON2: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// Runs an argon2 hash or check off the async threads, one per core at a time; a request
/// that waits too long is told to try again rather than queueing without end.
pub async fn argon2<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    on_semaphore(&ARGON2, std::time::Duration::from_secs(20), work).await
}

/// Photos decode one at a time: each may hold up to 512 MB while it decodes, so ten large
/// photos sent at once wait in turn instead of taking gigabytes together.
static DECODE: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(1));

pub async fn decode<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    on_semaphore(&DECODE, std::time::Duration::from_secs(120), work).await
}

/// Question cards typeset one at a time on the request's server (a book renders in its own
/// process instead).
static TYPESET: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(1));

pub async fn typeset<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    on_semaphore(&TYPESET, std::time::Duration::from_secs(60), work).await
}

async fn on_semaphore<T: Send + 'static>(
    semaphore: &Semaphore,
    wait: std::time::Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let busy = || AppError::TooMany("The server is busy right now. Please try again in a minute.".into());
    let _permit = tokio::time::timeout(wait, semaphore.acquire()).await.map_err(|_| busy())?.map_err(|_| busy())?;
    tokio::task::spawn_blocking(work).await.map_err(|err| {
        tracing::error!(error = %err, "a bounded task failed");
        AppError::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn the_client_address_comes_from_the_trusted_header_only() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 10.0.0.7".parse().unwrap());
        let peer = Some("127.0.0.1".parse().unwrap());
        assert_eq!(client_ip(&headers, None, peer), peer, "a header nobody trusts is ignored");
        let name = http::HeaderName::from_static("x-forwarded-for");
        assert_eq!(client_ip(&headers, Some(&name), peer), Some("10.0.0.7".parse().unwrap()));
        assert_eq!(client_ip(&HeaderMap::new(), Some(&name), peer), None);
    }

    #[test]
    fn buckets_are_bounded_and_case_blind() {
        let long = "A".repeat(10_000);
        assert!(WRONG_PASSWORD_PER_ACCOUNT.bucket(&long).len() < 400);
        assert_eq!(WRONG_PASSWORD_PER_ACCOUNT.bucket(" Ann@X.org"), WRONG_PASSWORD_PER_ACCOUNT.bucket("ann@x.org"));
        assert_ne!(WRONG_PASSWORD_PER_ACCOUNT.bucket("a"), WRONG_PASSWORD_PER_ADDRESS.bucket("a"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn hashing_runs_at_most_permits_at_once() {
        let semaphore = Arc::new(Semaphore::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (semaphore, running, most) = (semaphore.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    on_semaphore(&semaphore, std::time::Duration::from_secs(30), move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_is_told_to_try_again() {
        let semaphore = Semaphore::new(1);
        let _held = semaphore.acquire().await.unwrap();
        let result = on_semaphore(&semaphore, std::time::Duration::from_millis(20), || ()).await;
        assert!(matches!(result, Err(AppError::TooMany(_))));
    }

    #[test]
    fn tier_limits_are_one_json_table_and_unset_means_unlimited() {
        let tiers = Tiers::parse(r#"{"free": {"active_campaigns": 1, "books": 1}, "premium": {"books": 10}}"#).unwrap();
        assert_eq!(tiers.of("free"), TierLimits { active_campaigns: Some(1), recorded_stories: None, books: Some(1) });
        assert_eq!(tiers.of("premium").books, Some(10));
        assert_eq!(tiers.of("enterprise"), TierLimits::default());
        assert_eq!(tiers.of("nonsense"), tiers.free, "anything else is free");
        assert!(Tiers::parse(r#"{"free": {"campaigns": 1}}"#).is_err(), "a misspelt limit is refused");
        assert!(Tiers::parse("free=1").is_err());
        assert_eq!(Tiers::parse("{}").unwrap(), Tiers::default());
    }
}
