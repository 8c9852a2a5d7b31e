//! Wire types shared by the server and the browser.
pub mod account;
pub mod book;
pub mod campaign;
pub mod family;
pub mod flash;
pub mod story;
pub mod wording;

pub use account::{Account, CurrentUser, DisplayName, Email, Password, SafeNext, StoryEmails};
pub use campaign::{CampaignCard, CampaignInput, CampaignOverview, CampaignStatus, Relationship, Role};
pub use flash::{Flash, Notice};
pub use wording::count;
