//! Lulu as a print provider: its configuration (MSF_LULU_*), its prices behind
//! [`PrintProvider`], and the one place a [`LuluError`] becomes what the family is told.
//! Sending the job, its webhooks and the hourly look are in [`super::fulfil`].
use futures_util::future::BoxFuture;

use super::lulu::{Lulu, LuluConfig, LuluError, PRODUCTION_URL, SANDBOX_URL};
use super::price::Priced;
use super::PrintProvider;
use crate::error::{AppError, FieldErrors};
use crate::model::book::TrimSize;
use crate::model::order::{PrintOptions, ShippingAddress};

/// The provider name orders sent to Lulu are stored with (`book_orders.provider`).
pub const LULU: &str = "lulu";

/// Lulu's Print API prices every order (printing, shipping and tax at Lulu's cost) and prints
/// it: see [`super::fulfil`].
#[derive(Debug)]
pub struct LuluProvider {
    client: Lulu,
    /// Whom Lulu asks about a job (MSF_LULU_CONTACT_EMAIL); unset, the orderer's address.
    contact_email: Option<String>,
}

impl LuluProvider {
    pub fn new(config: LuluConfig, contact_email: Option<String>) -> Result<Self, String> {
        let client = Lulu::new(config).map_err(|err| err.to_string())?;
        let contact_email = contact_email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
        Ok(LuluProvider { client, contact_email })
    }

    /// MSF_LULU_CLIENT_KEY and MSF_LULU_CLIENT_SECRET (both required), MSF_LULU_ENVIRONMENT
    /// (`sandbox`, the default, or `production`), MSF_LULU_API_URL (replaces the
    /// environment's address) and MSF_LULU_CONTACT_EMAIL (optional).
    pub fn from_env() -> Result<Self, String> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let missing: Vec<&str> =
            ["MSF_LULU_CLIENT_KEY", "MSF_LULU_CLIENT_SECRET"].into_iter().filter(|name| var(name).is_none()).collect();
        if !missing.is_empty() {
            return Err(format!(
                "MSF_PRINT_PROVIDER=lulu needs {}: the client key and secret of your Lulu API account \
                 (developers.lulu.com, or developers.sandbox.lulu.com for the sandbox)",
                missing.join(" and ")
            ));
        }
        let environment_url = match var("MSF_LULU_ENVIRONMENT").as_deref() {
            None | Some("sandbox") => SANDBOX_URL,
            Some("production") => PRODUCTION_URL,
            Some(other) => {
                return Err(format!("MSF_LULU_ENVIRONMENT={other} is neither sandbox nor production"));
            }
        };
        let base_url = var("MSF_LULU_API_URL").unwrap_or_else(|| environment_url.to_owned());
        let config = LuluConfig::new(
            base_url,
            var("MSF_LULU_CLIENT_KEY").unwrap_or_default(),
            var("MSF_LULU_CLIENT_SECRET").unwrap_or_default(),
        );
        Self::new(config, var("MSF_LULU_CONTACT_EMAIL"))
    }

    /// The API client, for sending and following print jobs.
    pub fn client(&self) -> &Lulu {
        &self.client
    }

    /// MSF_LULU_CONTACT_EMAIL, if set.
    pub fn contact_email(&self) -> Option<&str> {
        self.contact_email.as_deref()
    }
}

impl PrintProvider for LuluProvider {
    fn name(&self) -> &'static str {
        LULU
    }

    fn price<'a>(
        &'a self,
        options: &'a PrintOptions,
        trim: TrimSize,
        pages: i32,
        address: &'a ShippingAddress,
    ) -> BoxFuture<'a, Result<Priced, AppError>> {
        Box::pin(async move {
            let cost = self.client.cost(options, trim, pages, address).await.map_err(app_error)?;
            Ok(cost.priced())
        })
    }
}

/// Which field of the order form a refusal of Lulu's is about, from the field names in its
/// words ("shipping address postcode: This field is required."); the most specific first.
const FIELDS: &[(&str, &str)] = &[
    ("postcode", "postal_code"),
    ("state code", "state"),
    ("country code", "country"),
    ("phone number", "phone"),
    ("street1", "line1"),
    ("street2", "line2"),
    ("city", "city"),
    ("shipping address name", "name"),
    ("shipping option", "shipping"),
    ("shipping level", "shipping"),
    ("quantity", "quantity"),
    ("page count", "binding"),
    ("pod package id", "binding"),
];

/// What the family is told when Lulu fails: the one place a [`LuluError`] becomes an
/// [`AppError`].
///
/// - Transient: "try again in a few minutes" (429: no `AppError` with a 503 status carries
///   its own words; `TooMany` is the "busy, try later" answer).
/// - Rejected: Lulu's words beside the form field they are about (the address, mostly), or
///   as the form's message (409) when they name none.
/// - FileRefused: Lulu's reasons, as a conflict.
/// - Misconfigured: ours to fix, so logged, and a plain internal error for the family.
pub fn app_error(err: LuluError) -> AppError {
    match err {
        LuluError::Transient(why) => {
            tracing::warn!(error = %why, "Lulu can't be reached just now");
            AppError::TooMany("The printer isn't answering just now. Please try again in a few minutes.".into())
        }
        LuluError::Rejected(words) => {
            let lower = words.to_lowercase().replace('_', " ");
            match FIELDS.iter().find(|(said, _)| lower.contains(said)) {
                Some((_, field)) => AppError::Validation(FieldErrors::from([(
                    (*field).to_owned(),
                    format!("The printer says: {words}"),
                )])),
                None => AppError::Conflict(format!("The printer can't take this order: {words}")),
            }
        }
        LuluError::FileRefused(reasons) => {
            AppError::Conflict(format!("The printer can't print the book's files: {}", reasons.join(" ")))
        }
        LuluError::Misconfigured(why) => {
            tracing::error!(error = %why, "the connection to Lulu is misconfigured (MSF_LULU_*)");
            AppError::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_key_and_secret_are_required_and_the_environment_is_checked() {
        let err = LuluProvider::from_vars(vars(&[])).unwrap_err();
        assert!(err.contains("MSF_LULU_CLIENT_KEY and MSF_LULU_CLIENT_SECRET"), "{err}");
        let err = LuluProvider::from_vars(vars(&[("MSF_LULU_CLIENT_KEY", "k")])).unwrap_err();
        assert!(err.contains("MSF_LULU_CLIENT_SECRET") && !err.contains("MSF_LULU_CLIENT_KEY"), "{err}");
        let keys = [("MSF_LULU_CLIENT_KEY", "k"), ("MSF_LULU_CLIENT_SECRET", "s")];
        let sandbox = LuluProvider::from_vars(vars(&keys)).unwrap();
        assert!(format!("{:?}", sandbox.client()).contains(SANDBOX_URL), "sandbox by default");
        let production =
            LuluProvider::from_vars(vars(&[keys[0], keys[1], ("MSF_LULU_ENVIRONMENT", "production")])).unwrap();
        assert!(format!("{:?}", production.client()).contains(PRODUCTION_URL));
        let err = LuluProvider::from_vars(vars(&[keys[0], keys[1], ("MSF_LULU_ENVIRONMENT", "live")])).unwrap_err();
        assert!(err.contains("live"), "{err}");
        let mock = LuluProvider::from_vars(vars(&[
            keys[0],
            keys[1],
            ("MSF_LULU_API_URL", "http://127.0.0.1:9/"),
            ("MSF_LULU_CONTACT_EMAIL", " print@example.com "),
        ]))
        .unwrap();
        assert!(format!("{:?}", mock.client()).contains("http://127.0.0.1:9"));
        assert_eq!(mock.contact_email(), Some("print@example.com"));
        let err = LuluProvider::from_vars(vars(&[keys[0], keys[1], ("MSF_LULU_API_URL", "api.lulu.com")])).unwrap_err();
        assert!(err.contains("not a web address"), "{err}");
    }

    #[test]
    fn lulu_errors_become_what_the_family_can_act_on() {
        let busy = app_error(LuluError::Transient("HTTP 503".into()));
        assert!(matches!(&busy, AppError::TooMany(m) if m.contains("try again")), "{busy:?}");
        let postcode = app_error(LuluError::Rejected("shipping address postcode: This field is required.".into()));
        assert_eq!(
            postcode.field("postal_code").as_deref(),
            Some("The printer says: shipping address postcode: This field is required.")
        );
        let other = app_error(LuluError::Rejected("We don't ship there.".into()));
        assert_eq!(other, AppError::Conflict("The printer can't take this order: We don't ship there.".into()));
        let files = app_error(LuluError::FileRefused(vec!["Fonts are missing.".into(), "Too small.".into()]));
        assert!(matches!(&files, AppError::Conflict(m) if m.ends_with("Fonts are missing. Too small.")), "{files:?}");
        assert_eq!(app_error(LuluError::Misconfigured("401".into())), AppError::Internal);
    }
}
