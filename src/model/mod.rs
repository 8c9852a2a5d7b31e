//! Wire types shared by the server and the browser.

/// A closed set of choices that travels as text (forms, the database, URLs): each choice
/// has one wire name (also its serde name) and one label, and the type gets `ALL`,
/// `parse`, `as_str` and `label` from this one place.
macro_rules! choice {
    (@unit $variant:ident) => { () };
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $value:literal : $label:literal),+ $(,)?
    } $(default $default:ident)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $value)] $variant,)+
        }
        $(impl Default for $name {
            fn default() -> Self { $name::$default }
        })?
        impl $name {
            pub const ALL: [$name; <[()]>::len(&[$(choice!(@unit $variant)),+])] = [$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($value => Some($name::$variant),)+ _ => None }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}

pub mod account;
pub mod book;
pub mod campaign;
pub mod family;
pub mod flash;
pub mod order;
pub mod question;
pub mod story;
pub mod storyteller;
pub mod wording;

pub use account::{
    Account, CurrentUser, DataExport, DisplayName, Email, ExportStatus, Password, Preferences, SafeNext, StoryEmails,
};
pub use campaign::{CampaignCard, CampaignInput, CampaignOverview, CampaignStatus, Relationship, Role};
pub use flash::{Flash, Notice};
pub use wording::count;
