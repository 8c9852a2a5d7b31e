//! Books on the server: what the designer page shows (here), the render job that typesets
//! them (`render`), and the print check's findings in the owner's words (`findings`).
mod findings;
pub mod isolated;
mod render;

use std::collections::HashMap;

use uuid::Uuid;

use super::authz::CampaignAccess;
use super::db::books as db;
use super::db::UserTx;
use super::signing::Purpose;
use super::state::AppState;
use crate::error::AppError;
use crate::model::book::{self as model, BookDetail, DesignerPhoto, DesignerStory};
use crate::urls;
pub use render::{run_once, trim_inches, JOB_KIND, PREVIEW_PPI};

pub fn listen_url(state: &AppState, link_id: Uuid) -> String {
    format!("{}/listen/{}", state.public_url, state.signer.sign(Purpose::Listen, link_id))
}

/// Everything the designer page shows, for a member of the campaign.
pub async fn detail(
    state: &AppState,
    tx: &mut UserTx,
    access: &CampaignAccess,
    book_id: Uuid,
) -> Result<BookDetail, AppError> {
    let book = db::get(tx, access, book_id).await?;
    let campaign_title = db::campaign_title(tx, access).await?;
    let links: HashMap<Uuid, Uuid> = db::share_links(tx, access).await?.into_iter().collect();
    let thumb = |photo: Uuid| urls::photo_thumbnail(access.campaign_id(), photo);
    let mut stories: HashMap<Uuid, db::CampaignStory> = HashMap::new();
    let mut campaign_order = Vec::new();
    for story in db::campaign_stories(tx, access).await? {
        campaign_order.push(story.id);
        stories.insert(story.id, story);
    }
    let view = |story: &db::CampaignStory, choice: Option<&model::BookStory>| DesignerStory {
        id: story.id,
        title: story.title.clone(),
        status: story.status,
        word_count: story.word_count,
        has_audio: story.has_audio,
        photos: story
            .photos
            .iter()
            .map(|(id, caption)| DesignerPhoto {
                id: *id,
                thumbnail_url: thumb(*id),
                caption: choice
                    .and_then(|c| c.captions.get(id).cloned())
                    .or_else(|| caption.clone())
                    .unwrap_or_default(),
                shown: choice.is_none_or(|c| !c.hidden_photos.contains(id)),
            })
            .collect(),
        qr_code: choice.is_some_and(|c| c.qr_code),
        share_url: links.get(&story.id).map(|link| listen_url(state, *link)),
    };
    let included: Vec<DesignerStory> = book
        .design
        .stories
        .iter()
        .filter_map(|choice| stories.get(&choice.story_id).map(|s| view(s, Some(choice))))
        .collect();
    let available = campaign_order
        .iter()
        .filter(|id| book.design.story(**id).is_none())
        .filter_map(|id| stories.get(id).map(|s| view(s, None)))
        .collect();
    let cover_photos = db::campaign_photos(tx, access)
        .await?
        .into_iter()
        .map(|(id, caption)| DesignerPhoto {
            id,
            thumbnail_url: thumb(id),
            caption: caption.unwrap_or_default(),
            shown: true,
        })
        .collect();
    Ok(BookDetail {
        id: book.id,
        campaign_id: access.campaign_id(),
        campaign_title,
        title: book.title,
        status: book.status,
        design: book.design,
        page_count: book.page_count,
        story_count: book.story_count,
        photo_count: book.photo_count,
        included,
        available,
        cover_photos,
        render: book.render,
        render_id: book.render_id,
        preflight: book.preflight,
        may_design: access.may_design_books() && !book.status.is_final(),
        may_copy: access.may_design_books(),
        may_mark_ready: access.may_mark_book_ready(),
    })
}
