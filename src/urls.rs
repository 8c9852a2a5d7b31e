//! Every address the app builds, in one place: pages, media and links. Pages, server
//! functions and the server share these, so a path is spelled once.
use std::fmt::Display;

pub fn campaign(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}")
}

pub fn campaign_edit(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}/edit")
}

pub fn family(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}/family")
}

pub fn stories(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}/stories")
}

/// The story's row in the campaign's story list.
pub fn story_in_list(campaign: impl Display, story: impl Display) -> String {
    format!("/campaigns/{campaign}/stories#story-{story}")
}

pub fn new_story(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}/stories/new")
}

pub fn story(campaign: impl Display, story: impl Display) -> String {
    format!("/campaigns/{campaign}/stories/{story}")
}

pub fn story_edit(campaign: impl Display, story: impl Display) -> String {
    format!("/campaigns/{campaign}/stories/{story}/edit")
}

pub fn story_comments(campaign: impl Display, story: impl Display) -> String {
    format!("/campaigns/{campaign}/stories/{story}#comments")
}

pub fn photos(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}/photos")
}

/// The gallery, choosing photos for one story.
pub fn photos_for_story(campaign: impl Display, story: impl Display) -> String {
    format!("/campaigns/{campaign}/photos?story={story}")
}

pub fn questions(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}/questions")
}

/// POST: the question cards PDF (`server::http::questions`).
pub fn question_cards(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}/questions/cards")
}

pub fn books(campaign: impl Display) -> String {
    format!("/campaigns/{campaign}/books")
}

pub fn book(campaign: impl Display, book: impl Display) -> String {
    format!("/campaigns/{campaign}/books/{book}")
}

/// The page that orders printed copies of a book (`?…` carries the form to price it).
pub fn order_book(campaign: impl Display, book: impl Display) -> String {
    format!("/campaigns/{campaign}/books/{book}/order")
}

pub const ORDERS: &str = "/orders";

pub fn order(order: impl Display) -> String {
    format!("/orders/{order}")
}

/// GET: a file an order printed (`interior.pdf`, `cover.pdf`), for its orderer and staff.
pub fn order_file(order: impl Display, file: &str) -> String {
    format!("/media/orders/{order}/{file}")
}

pub const ADMIN_ORDERS: &str = "/admin/orders";

pub fn admin_order(order: impl Display) -> String {
    format!("/admin/orders/{order}")
}

/// Percent-encoded: the token may come from a visitor (a mangled link with a line break in
/// it must give a clear page, not an invalid redirect header).
pub fn invitation(token: impl Display) -> String {
    let token = token.to_string();
    format!("/invitations/{}", form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>())
}

/// The emailed link that finishes a sign-up.
pub fn confirm_email(token: impl Display) -> String {
    let token = token.to_string();
    format!("/signup/confirm/{}", form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>())
}

/// The storyteller's own page, from their link (no account).
pub fn storyteller(token: &str) -> String {
    format!("/s/{token}")
}

/// The storyteller's page opened at one question.
pub fn storyteller_question(token: &str, question: impl Display) -> String {
    format!("/s/{token}?q={question}")
}

/// Where the storyteller's page posts a recorded or uploaded answer.
pub fn storyteller_answer(token: &str) -> String {
    format!("/s/{token}/answer")
}

/// The photo of a photo question, for the storyteller's page.
pub fn storyteller_photo(token: &str, photo: impl Display) -> String {
    format!("/s/{token}/photos/{photo}")
}

/// Where a sign-up that emailed a link lands.
pub const SIGNUP_SENT: &str = "/signup/sent";
pub const FORGOT_PASSWORD: &str = "/login/forgot";
pub const EMAIL_SIGN_IN: &str = "/login/link";
/// "Check your email", after asking for a reset or sign-in link.
pub const RECOVERY_SENT: &str = "/login/sent";
/// What deleting the account will do, and the form that asks for it.
pub const DELETE_ACCOUNT: &str = "/account/delete";
/// Where a deleted (in seven days) account lands, signed out.
pub const ACCOUNT_DELETED: &str = "/goodbye";

pub fn reset_password(token: impl Display) -> String {
    let token = token.to_string();
    format!("/login/reset/{}", form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>())
}

pub fn confirm_email_change(token: impl Display) -> String {
    let token = token.to_string();
    format!("/account/email/{}", form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>())
}

pub fn sign_in_link(token: impl Display) -> String {
    let token = token.to_string();
    format!("/login/link/{}", form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>())
}

// ---- Media (server::http::ROUTES) ------------------------------------------------------

pub fn story_audio(campaign: impl Display, story: impl Display) -> String {
    format!("/media/campaigns/{campaign}/stories/{story}/audio")
}

pub fn photo_upload(campaign: impl Display) -> String {
    format!("/media/campaigns/{campaign}/photos")
}

/// Uploading photos that belong to a story.
pub fn photo_upload_for_story(campaign: impl Display, story: impl Display) -> String {
    format!("/media/campaigns/{campaign}/photos?story={story}")
}

pub fn photo_thumbnail(campaign: impl Display, photo: impl Display) -> String {
    format!("/media/campaigns/{campaign}/photos/{photo}/thumb")
}

pub fn photo_display(campaign: impl Display, photo: impl Display) -> String {
    format!("/media/campaigns/{campaign}/photos/{photo}/display")
}

/// Where one render's files (book.pdf, cover.pdf, cover.png) are served.
pub fn render_files(campaign: impl Display, book: impl Display, render: impl Display) -> String {
    format!("/media/campaigns/{campaign}/books/{book}/renders/{render}")
}

pub fn render_page(campaign: impl Display, book: impl Display, render: impl Display, page: impl Display) -> String {
    format!("/media/campaigns/{campaign}/books/{book}/renders/{render}/pages/{page}.png")
}

/// A person's picture.
pub fn avatar(user: impl Display, avatar: impl Display) -> String {
    format!("/media/avatars/{user}/{avatar}")
}

/// Where a new picture is uploaded (a plain multipart form).
pub const AVATAR_UPLOAD: &str = "/media/avatar";

/// A person's own "Download my data" ZIP.
pub fn data_export(export: impl Display) -> String {
    format!("/media/exports/{export}/download")
}

pub fn listen_audio(token: impl Display) -> String {
    format!("/media/listen/{token}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_match_the_routes() {
        assert_eq!(super::story_edit(1, 2), "/campaigns/1/stories/2/edit");
        assert_eq!(super::photo_thumbnail("c", "p"), "/media/campaigns/c/photos/p/thumb");
        assert_eq!(super::render_page("c", "b", "r", 3), "/media/campaigns/c/books/b/renders/r/pages/3.png");
    }
}
