//! Wire types shared by the server and the browser.
pub mod account;
pub mod flash;

pub use account::{Account, CurrentUser, DisplayName, Email, Password, SafeNext};
pub use flash::Flash;
