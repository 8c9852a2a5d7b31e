//! Where every stored file lives in media storage (a local folder or an S3 bucket). The
//! addresses people open are in `crate::urls`; these keys are never shown.
use uuid::Uuid;

/// Everything a campaign stored; deleting the campaign deletes this prefix.
pub fn campaign_prefix(campaign_id: Uuid) -> String {
    format!("campaigns/{campaign_id}")
}

/// A photo's `original` (kept for print, never served), `display` or `thumb`.
pub fn photo(campaign_id: Uuid, photo_id: Uuid, variant: &str) -> String {
    format!("campaigns/{campaign_id}/photos/{photo_id}/{variant}")
}

/// The three files of a photo.
pub fn photo_files(campaign_id: Uuid, photo_id: Uuid) -> Vec<String> {
    ["original", "display", "thumb"].iter().map(|v| photo(campaign_id, photo_id, v)).collect()
}

/// An emailed reply held for the family to decide, as it arrived.
pub fn held_reply(campaign_id: Uuid, id: Uuid) -> String {
    format!("campaigns/{campaign_id}/held-replies/{id}.eml")
}

/// A new recording of a story: a fresh name, so replacing one never overwrites the file the
/// row still points to until the row is written.
pub fn new_recording(campaign_id: Uuid, story_id: Uuid, extension: &str) -> String {
    format!("campaigns/{campaign_id}/stories/{story_id}/audio-{}.{extension}", Uuid::new_v4())
}

pub fn book_prefix(campaign_id: Uuid, book_id: Uuid) -> String {
    format!("campaigns/{campaign_id}/books/{book_id}")
}

/// One render's files: book.pdf, cover.pdf, cover.png and pages/N.png.
pub fn render_prefix(campaign_id: Uuid, book_id: Uuid, render_id: Uuid) -> String {
    format!("{}/renders/{render_id}", book_prefix(campaign_id, book_id))
}

/// A person's "Download my data" ZIP (kept seven days).
pub fn data_export(user_id: Uuid, export_id: Uuid) -> String {
    format!("{}/{export_id}/mystoryflow-data.zip", exports_prefix(user_id))
}

/// Everything exported for a person; deleting the account deletes this prefix.
pub fn exports_prefix(user_id: Uuid) -> String {
    format!("exports/{user_id}")
}

/// A person's picture (the photo pipeline's small rendition); a new name per upload.
pub fn avatar(user_id: Uuid, avatar_id: Uuid) -> String {
    format!("{}/{avatar_id}.jpg", avatars_prefix(user_id))
}

pub fn avatars_prefix(user_id: Uuid) -> String {
    format!("avatars/{user_id}")
}

/// The stored file behind an avatar address (`crate::urls::avatar`), if it is one.
pub fn avatar_from_url(url: &str) -> Option<String> {
    let rest = url.strip_prefix("/media/avatars/")?;
    let (user, id) = rest.split_once('/')?;
    Some(avatar(user.parse().ok()?, id.parse().ok()?))
}

/// The files an order prints (`interior.pdf`, `cover.pdf`): copies made when it was placed,
/// kept as long as the order, whatever happens to the book.
pub fn order_file(order_id: Uuid, file: &str) -> String {
    format!("orders/{order_id}/{file}")
}
