//! Books: the designer (settings, cover, stories and their photos, QR codes), the print
//! render and its progress, preflight and "ready to order", and the public listening page
//! a printed QR code opens.
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::book::{BookDetail, BookList, RenderState, SharedRecording};
#[cfg(feature = "ssr")]
use crate::urls;

#[cfg(feature = "ssr")]
fn designer(campaign_id: Uuid, book_id: Uuid, anchor: &str) -> String {
    format!("/campaigns/{campaign_id}/books/{book_id}{anchor}")
}

#[server(endpoint = "books")]
pub async fn books(campaign_id: Uuid) -> Result<BookList, AppError> {
    use crate::model::Role;
    use crate::server::db::books;
    in_campaign!(read campaign_id, Role::Viewer, |_, tx, access| {
        BookList {
            campaign_id,
            campaign_title: books::campaign_title(&mut tx, &access).await?,
            may_design: access.may_design_books(),
            books: books::list(&mut tx, &access).await?,
        }
    })
}

#[server(endpoint = "create_book")]
pub async fn create_book(campaign_id: Uuid, title: String) -> Result<(), AppError> {
    use crate::model::{book::BookTitle, Role};
    use crate::server::{db::books, limits};
    let typed = vec![("title".to_owned(), title.clone())];
    let back = urls::books(campaign_id);
    let id = in_campaign!("create_book", campaign_id, Role::Contributor, back, typed, |state, tx, access| {
        let title = BookTitle::parse(&title)?;
        let owner = limits::campaign_owner(&state.db, campaign_id).await?;
        limits::ensure_tier_allows(&state.db, state.quota.tiers, owner, limits::Counted::Books).await?;
        books::create(&mut tx, &access, &title).await?
    })?;
    leptos_axum::redirect(&designer(campaign_id, id, ""));
    Ok(())
}

#[server(endpoint = "book")]
pub async fn book(campaign_id: Uuid, book_id: Uuid) -> Result<BookDetail, AppError> {
    use crate::model::Role;
    in_campaign!(read campaign_id, Role::Viewer, |state, tx, access| {
        crate::server::books::detail(state, &mut tx, &access, book_id).await?
    })
}

/// The render's progress, for the designer page to follow.
#[server(endpoint = "book_progress")]
pub async fn book_progress(campaign_id: Uuid, book_id: Uuid) -> Result<RenderState, AppError> {
    use crate::model::Role;
    use crate::server::db::books;
    in_campaign!(read campaign_id, Role::Viewer, |_, tx, access| {
        let book = books::get(&mut tx, &access, book_id).await?;
        book.render
    })
}

#[server(endpoint = "save_book_details")]
#[allow(clippy::too_many_arguments)]
pub async fn save_book_details(
    campaign_id: Uuid,
    book_id: Uuid,
    title: String,
    #[server(default)] subtitle: String,
    #[server(default)] author_line: String,
    #[server(default)] dedication: String,
    trim: String,
    paper: String,
    binding: String,
    template: String,
) -> Result<(), AppError> {
    use crate::model::{book::BookDetails, Role};
    use crate::server::db::books;
    let typed = vec![
        ("title".to_owned(), title.clone()),
        ("subtitle".to_owned(), subtitle.clone()),
        ("author_line".to_owned(), author_line.clone()),
        ("dedication".to_owned(), dedication.clone()),
    ];
    let back = designer(campaign_id, book_id, "#details");
    in_campaign!("save_book_details", campaign_id, Role::Contributor, back, typed, |_, tx, access| {
        let details =
            BookDetails::parse(&title, &subtitle, &author_line, &dedication, &trim, &paper, &binding, &template)?;
        books::change(&mut tx, &access, book_id, |book_title, design| {
            *book_title = details.title;
            design.subtitle = details.subtitle;
            design.author_line = details.author_line;
            design.dedication = details.dedication;
            design.trim = details.trim;
            design.paper = details.paper;
            design.binding = details.binding;
            design.template = details.template;
            Ok(())
        })
        .await?;
    })
}

#[server(endpoint = "save_book_cover")]
pub async fn save_book_cover(
    campaign_id: Uuid,
    book_id: Uuid,
    layout: String,
    colour: String,
    #[server(default)] photo_id: String,
    #[server(default)] back_text: String,
) -> Result<(), AppError> {
    use crate::model::book::{parse_back_text, Colour, CoverLayout};
    use crate::model::Role;
    use crate::server::db::books;
    let typed = vec![("back_text".to_owned(), back_text.clone()), ("colour".to_owned(), colour.clone())];
    let back = designer(campaign_id, book_id, "#cover");
    in_campaign!("save_book_cover", campaign_id, Role::Contributor, back, typed, |_, tx, access| {
        let layout =
            CoverLayout::parse(&layout).ok_or_else(|| AppError::invalid("layout", "Please choose a cover layout."))?;
        let colour = Colour::parse(&colour)?.into_string();
        let back_text = parse_back_text(&back_text)?;
        let photo_id = match photo_id.trim() {
            "" => None,
            id => {
                let id = Uuid::parse_str(id)
                    .map_err(|_| AppError::invalid("photo_id", "Please choose one of the photos."))?;
                books::require_photo(&mut tx, &access, id).await?;
                Some(id)
            }
        };
        books::change(&mut tx, &access, book_id, |_, design| {
            design.cover.layout = layout;
            design.cover.colour = colour;
            design.cover.photo_id = photo_id;
            design.cover.back_text = back_text;
            Ok(())
        })
        .await?;
    })
}

/// Puts a campaign story into the book (at the end) or takes it out.
#[server(endpoint = "include_book_story")]
pub async fn include_book_story(
    campaign_id: Uuid,
    book_id: Uuid,
    story_id: Uuid,
    include: bool,
) -> Result<(), AppError> {
    use crate::model::{book::BookStory, Role};
    use crate::server::db::books;
    let back = designer(campaign_id, book_id, "#stories");
    in_campaign!("include_book_story", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        books::require_story(&mut tx, &access, story_id).await?;
        books::change(&mut tx, &access, book_id, |_, design| {
            let present = design.story(story_id).is_some();
            if include && !present {
                design.stories.push(BookStory { story_id, ..Default::default() });
            } else if !include {
                design.stories.retain(|s| s.story_id != story_id);
            }
            Ok(())
        })
        .await?;
    })
}

/// Moves a story to `position` (0-based) in the book: the Move buttons and drag and drop.
#[server(endpoint = "move_book_story")]
pub async fn move_book_story(campaign_id: Uuid, book_id: Uuid, story_id: Uuid, position: i32) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::books;
    let back = designer(campaign_id, book_id, &format!("#book-story-{story_id}"));
    in_campaign!("move_book_story", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        books::change(&mut tx, &access, book_id, |_, design| {
            if design.move_story(story_id, position.max(0) as usize) {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        })
        .await?;
    })
}

/// Shows or hides one of a story's photos in the book, with the book's own caption (empty:
/// the gallery caption).
#[server(endpoint = "set_book_photo")]
pub async fn set_book_photo(
    campaign_id: Uuid,
    book_id: Uuid,
    story_id: Uuid,
    photo_id: Uuid,
    #[server(default)] shown: bool,
    #[server(default)] caption: String,
) -> Result<(), AppError> {
    use crate::model::{book::parse_caption, Role};
    use crate::server::db::books;
    let typed = vec![("caption".to_owned(), caption.clone())];
    let back = designer(campaign_id, book_id, &format!("#book-story-{story_id}"));
    in_campaign!("set_book_photo", campaign_id, Role::Contributor, back, typed, |_, tx, access| {
        let caption = parse_caption(&caption)?;
        books::require_photo(&mut tx, &access, photo_id).await?;
        books::change(&mut tx, &access, book_id, |_, design| {
            let story = design.story_mut(story_id).ok_or(AppError::NotFound)?;
            story.hidden_photos.retain(|p| *p != photo_id);
            if !shown {
                story.hidden_photos.push(photo_id);
            }
            if caption.is_empty() {
                story.captions.remove(&photo_id);
            } else {
                story.captions.insert(photo_id, caption);
            }
            Ok(())
        })
        .await?;
    })
}

/// Prints (or stops printing) a QR code that plays the story's recording. Turning it on
/// makes the story's listening link if it has none.
#[server(endpoint = "set_book_qr")]
pub async fn set_book_qr(campaign_id: Uuid, book_id: Uuid, story_id: Uuid, on: bool) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::books;
    let back = designer(campaign_id, book_id, &format!("#book-story-{story_id}"));
    in_campaign!("set_book_qr", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        let has_audio = books::require_story(&mut tx, &access, story_id).await?;
        if on {
            if !has_audio {
                return Err(AppError::Conflict(
                    "This story has no recording yet, so there is nothing for a QR code to play.".into(),
                ));
            }
            books::ensure_share_link(&mut tx, &access, story_id).await?;
        }
        books::change(&mut tx, &access, book_id, |_, design| {
            design.story_mut(story_id).ok_or(AppError::NotFound)?.qr_code = on;
            Ok(())
        })
        .await?;
    })
}

/// Turns the story's listening link off: printed QR codes stop playing it. A new link (and a
/// new PDF) is made when the QR code is turned on again.
#[server(endpoint = "revoke_share_link")]
pub async fn revoke_share_link(campaign_id: Uuid, book_id: Uuid, story_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::books;
    let back = designer(campaign_id, book_id, &format!("#book-story-{story_id}"));
    in_campaign!("revoke_share_link", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        books::require_story(&mut tx, &access, story_id).await?;
        books::revoke_share_link(&mut tx, &access, story_id).await?;
        books::change(&mut tx, &access, book_id, |_, design| {
            if let Some(story) = design.story_mut(story_id) {
                story.qr_code = false;
            }
            Ok(())
        })
        .await?;
    })
}

#[server(endpoint = "render_book")]
pub async fn render_book(campaign_id: Uuid, book_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::{db::books, limits::RENDERS_PER_USER};
    let back = designer(campaign_id, book_id, "#print");
    in_campaign!("render_book", campaign_id, Role::Contributor, back, Vec::new(), |state, tx, access| {
        access.ensure_may_design_books()?;
        RENDERS_PER_USER.hit(&state.db, &tx.user_id().to_string()).await?;
        books::queue_render(&mut tx, &access, book_id).await?;
    })
}

/// The owner confirms the proofread, preflight-clean PDF: the book becomes ready to order.
#[server(endpoint = "mark_book_ready")]
pub async fn mark_book_ready(
    campaign_id: Uuid,
    book_id: Uuid,
    #[server(default)] proofread: bool,
) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::books;
    let typed = vec![("proofread".to_owned(), proofread.to_string())];
    let back = designer(campaign_id, book_id, "#preflight");
    in_campaign!("mark_book_ready", campaign_id, Role::Owner, back, typed, |_, tx, access| {
        books::mark_ready(&mut tx, &access, book_id, proofread).await?;
    })
}

/// A new draft with this book's design; opens the copy.
#[server(endpoint = "copy_book")]
pub async fn copy_book(campaign_id: Uuid, book_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::books;
    let back = designer(campaign_id, book_id, "");
    let id = in_campaign!("copy_book", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        books::copy(&mut tx, &access, book_id).await?
    })?;
    leptos_axum::redirect(&designer(campaign_id, id, ""));
    Ok(())
}

#[server(endpoint = "delete_book")]
pub async fn delete_book(campaign_id: Uuid, book_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::{db::books, request};
    let back = urls::books(campaign_id);
    let prefix = in_campaign!("delete_book", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        books::delete(&mut tx, &access, book_id).await?
    })?;
    request::state()?.storage.delete_prefix(&prefix).await;
    // Also with JavaScript: the designer of a deleted book has nothing to show.
    leptos_axum::redirect(&urls::books(campaign_id));
    Ok(())
}

#[server(endpoint = "listening")]
pub async fn listening(token: String) -> Result<SharedRecording, AppError> {
    use crate::server::{db::renders, request, signing::ListenLink};
    let result = async {
        let state = request::state()?;
        let link = ListenLink::verify(&state.signer, &token).ok_or(AppError::NotFound)?;
        let found = renders::listening(&state.db, &link).await?.ok_or(AppError::NotFound)?;
        Ok(SharedRecording {
            story_title: found.story_title,
            campaign_title: found.campaign_title,
            storyteller: found.storyteller,
            audio_url: urls::listen_audio(token),
            audio_mime: found.audio_mime,
        })
    }
    .await;
    request::respond(result)
}
