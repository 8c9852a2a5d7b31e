//! Photos: the campaign gallery, captions, and which stories a photo illustrates. Uploads
//! and the image files themselves are axum routes (server::media), not server functions.
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::story::PhotoView;
#[cfg(feature = "ssr")]
use crate::urls;

#[server(endpoint = "photos")]
pub async fn photos(campaign_id: Uuid) -> Result<Vec<PhotoView>, AppError> {
    use crate::model::Role;
    use crate::server::db::photos;
    in_campaign!(read campaign_id, Role::Viewer, |_, tx, access| {
        photos::gallery(&mut tx, &access).await?
    })
}

#[server(endpoint = "set_photo_caption")]
pub async fn set_photo_caption(
    campaign_id: Uuid,
    photo_id: Uuid,
    #[server(default)] caption: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    use crate::model::{Role, SafeNext};
    use crate::server::db::photos;
    let back = match back.as_str() {
        "" => urls::photos(campaign_id),
        other => SafeNext::parse(other).as_str().to_owned(),
    };
    let typed = vec![("caption".to_owned(), caption.clone())];
    in_campaign!("set_photo_caption", campaign_id, Role::Contributor, back, typed, |_, tx, access| {
        let caption = crate::model::story::Caption::parse(&caption)?;
        photos::set_caption(&mut tx, &access, photo_id, &caption).await?;
    })
}

/// Adds a gallery photo to a story (`attach` = true) or takes it off (false).
#[server(endpoint = "link_photo")]
pub async fn link_photo(campaign_id: Uuid, story_id: Uuid, photo_id: Uuid, attach: bool) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::db::photos;
    let back = urls::story_edit(campaign_id, story_id);
    in_campaign!("link_photo", campaign_id, Role::Contributor, back.clone(), Vec::new(), |_, tx, access| {
        if attach {
            photos::attach(&mut tx, &access, story_id, photo_id).await?;
            // Chosen in the gallery: also with JavaScript, go back to the story being edited.
            leptos_axum::redirect(&back);
        } else {
            photos::detach(&mut tx, &access, story_id, photo_id).await?;
        }
    })
}

#[server(endpoint = "delete_photo")]
pub async fn delete_photo(campaign_id: Uuid, photo_id: Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::{db::photos, request};
    let back = urls::photos(campaign_id);
    let files = in_campaign!("delete_photo", campaign_id, Role::Contributor, back, Vec::new(), |_, tx, access| {
        photos::delete(&mut tx, &access, photo_id).await?
    })?;
    // Rows first, files once the deletion is committed: never a row without its file.
    request::state()?.storage.delete(&files).await;
    Ok(())
}
