//! Accounts: who is signed in, and the parsed inputs of sign-up and log-in.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The signed-in person, as every page sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

/// The account page's view of a person's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub preferences: Preferences,
    /// The person's picture, if they added one (`urls::avatar`).
    pub avatar_url: Option<String>,
    /// Recordings and photos in the campaigns this person owns, and what the server allows.
    pub storage: StorageUse,
    /// False until the emailed sign-up link is used (on a server that sends email): until
    /// then the person can't invite anyone and gets no order emails.
    pub email_confirmed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageUse {
    pub used_bytes: i64,
    pub limit_bytes: i64,
}

/// "1.2 GB", "350 MB", "12 KB": sizes as people read them.
pub fn human_bytes(bytes: i64) -> String {
    const KB: f64 = 1000.0;
    let b = bytes.max(0) as f64;
    if b >= KB * KB * KB {
        format!("{:.1} GB", b / (KB * KB * KB))
    } else if b >= KB * KB {
        format!("{:.0} MB", b / (KB * KB))
    } else {
        format!("{:.0} KB", (b / KB).ceil())
    }
}

choice!(
    /// Which new-story emails a person gets (users.preferences->>'story_emails').
    StoryEmails {
        Every = "every": "An email for every finished story",
        Weekly = "weekly": "One weekly summary",
        Off = "off": "No story emails",
    } default Every
);

choice!(
    /// Where a "Download my data" ZIP is (data_exports.status).
    ExportStatus {
        Queued = "queued": "Waiting to start",
        Running = "running": "Being made",
        Ready = "ready": "Ready to download",
        Failed = "failed": "Could not be made",
        Expired = "expired": "No longer kept",
    }
);

/// A person's latest export, as the account page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataExport {
    pub id: Uuid,
    pub status: ExportStatus,
    pub progress: i32,
    pub size_bytes: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl DataExport {
    pub fn in_progress(&self) -> bool {
        matches!(self.status, ExportStatus::Queued | ExportStatus::Running)
    }
}

/// How long a finished export can be downloaded.
pub const EXPORT_KEPT_DAYS: i64 = 7;

/// Days between asking to delete an account and its deletion; logging in cancels it.
pub const DELETION_GRACE_DAYS: i64 = 7;

/// How long a sign-in by emailed link stands in for the password when deleting the account.
pub const LINK_PROOF_MINUTES: i64 = 15;

/// What deleting an account will do, listed on the page that asks for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletionPreview {
    /// Deleted with everything in them, unless ownership is passed on first.
    pub owned: Vec<OwnedCampaign>,
    /// Other families' campaigns: the membership ends, the stories stay.
    pub elsewhere: Vec<ElsewhereCampaign>,
    /// Signed in by emailed link a moment ago: that stands in for the password.
    pub signed_in_by_link: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnedCampaign {
    pub id: Uuid,
    pub title: String,
    pub stories: i64,
    pub other_members: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElsewhereCampaign {
    pub title: String,
    pub stories: i64,
}

/// A person's choices, kept together as one JSON object in users.preferences. Every field
/// has a default, so a row written by an older version (or none at all) still reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    pub story_emails: StoryEmails,
    /// Where the person lives (an IANA name such as "Europe/Rome"): the time zone a new
    /// weekly-question schedule starts in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 256;
const MAX_NAME_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;

/// A plausible email address, trimmed and lower-cased so one person has one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("Please enter your email address.".into());
        }
        if email.chars().count() > MAX_EMAIL_CHARS {
            return Err("That email address is too long.".into());
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if valid {
            Ok(Email(email))
        } else {
            Err("Please enter an email address like name@example.com.".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name family members will see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Please enter your name.".into());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!("Please keep your name under {MAX_NAME_CHARS} characters."));
        }
        if name.chars().any(char::is_control) {
            return Err("Your name contains characters we can't show.".into());
        }
        Ok(DisplayName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: long enough to be worth having. Kept as typed (spaces count).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!("Please use at least {MIN_PASSWORD_CHARS} characters."));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!("Please use at most {MAX_PASSWORD_CHARS} characters."));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where to go after logging in: only a path on this site, so a link cannot send a
/// person elsewhere (open redirect) and the value is always a valid header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeNext(String);

impl SafeNext {
    pub const DEFAULT: &'static str = "/dashboard";

    pub fn parse(raw: &str) -> Self {
        let ok = raw.starts_with('/')
            && !raw.starts_with("//")
            && !raw.starts_with("/\\")
            && raw.len() <= 2000
            && raw.bytes().all(|b| (0x21..0x7f).contains(&b));
        if ok {
            SafeNext(raw.to_owned())
        } else {
            SafeNext(Self::DEFAULT.to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_bytes(25_000_000_000), "25.0 GB");
        assert_eq!(human_bytes(1_234_000_000), "1.2 GB");
        assert_eq!(human_bytes(350_400_000), "350 MB");
        assert_eq!(human_bytes(11_200), "12 KB");
        assert_eq!(human_bytes(0), "0 KB");
    }

    #[test]
    fn emails_are_normalised() {
        assert_eq!(Email::parse("  Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in ["", "ann", "ann@", "@example.com", "ann@example", "a b@example.com", "a@b@c.com", "ann@.com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(Password::parse("123456789").is_err());
        assert!(Password::parse("1234567890").is_ok());
        // characters, not bytes
        assert!(Password::parse("ééééééééé").is_err());
    }

    #[test]
    fn passwords_are_not_printed() {
        let p = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Ann ").unwrap().as_str(), "Ann");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(SafeNext::parse("/account?tab=1").as_str(), "/account?tab=1");
        for bad in ["https://evil.example", "//evil.example", "/\\evil", "", "/a b", "/é"] {
            assert_eq!(SafeNext::parse(bad).as_str(), SafeNext::DEFAULT, "{bad:?}");
        }
    }
}
