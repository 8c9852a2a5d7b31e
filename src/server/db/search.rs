//! Full-text search over every story the user may see.
use uuid::Uuid;

use super::UserTx;
use crate::error::AppError;
use crate::model::story::{SearchHit, SearchPage, StoryStatus};

pub const SEARCH_PAGE_SIZE: i64 = 20;
/// Only the newest this many matches are ranked (migration 19): a word in most of a family's
/// stories then costs little more than a rarer one, and page 25 the same as page 1.
pub const SEARCH_RANKED: i32 = 500;
/// Characters of a story's text that a snippet is drawn from: `ts_headline` reads all it is
/// given, and a transcription of a long recording can be hundreds of thousands.
pub const SNIPPET_SOURCE_CHARS: i32 = 20_000;

/// Cursor of the last hit shown: its rank and id.
fn parse_cursor(after: &str) -> Option<(f32, Uuid)> {
    let (rank, id) = after.split_once('_')?;
    Some((rank.parse().ok()?, Uuid::parse_str(id).ok()?))
}

#[derive(Debug, Default, Clone)]
pub struct SearchFilters {
    pub campaign_id: Option<Uuid>,
    pub category: Option<String>,
    pub status: Option<StoryStatus>,
}

/// Full-text search over every story the user may see (row-level security decides), best
/// matches first, `SEARCH_PAGE_SIZE` at a time.
pub async fn search(
    tx: &mut UserTx,
    query: &str,
    filters: &SearchFilters,
    after: Option<&str>,
) -> Result<SearchPage, AppError> {
    let cursor = match after.filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_cursor(a).ok_or(AppError::BadRequest)?),
        None => None,
    };
    // Matching and ranking run in search_story_ids (migrations 14, 16, 19: it can use the
    // indexes where RLS could not, and ranks only the newest matches); headlines, which are
    // costly, only for the returned page and from the start of the text.
    let rows = sqlx::query!(
        r#"WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),
           hits AS (SELECT * FROM q, search_story_ids(q.q, $2, $3, $4, $5, $6, $7, $8))
           SELECT s.id, s.campaign_id, c.title AS campaign_title, s.title, s.category,
                  coalesce(s.status, 'draft') AS "status!", h.rank AS "rank!",
                  ts_headline('english', left(coalesce(s.content, '') || E'\n' || coalesce(s.transcription, ''), $9), h.q,
                              'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=35, MinWords=15, MaxFragments=2')
                      AS "snippet!"
           FROM hits h JOIN stories s ON s.id = h.id JOIN campaigns c ON c.id = s.campaign_id
           ORDER BY h.rank DESC, h.id DESC"#,
        query,
        filters.campaign_id,
        filters.category,
        filters.status.map(StoryStatus::as_str),
        cursor.map(|c| c.0),
        cursor.map(|c| c.1),
        (SEARCH_PAGE_SIZE + 1) as i32,
        SEARCH_RANKED,
        SNIPPET_SOURCE_CHARS,
    )
    .fetch_all(tx.conn())
    .await?;
    let more = rows.len() as i64 > SEARCH_PAGE_SIZE;
    let hits: Vec<_> = rows.into_iter().take(SEARCH_PAGE_SIZE as usize).collect();
    let next = more.then(|| hits.last().map(|h| format!("{}_{}", h.rank, h.id))).flatten();
    Ok(SearchPage {
        hits: hits
            .into_iter()
            .map(|h| SearchHit {
                id: h.id,
                campaign_id: h.campaign_id,
                campaign_title: h.campaign_title,
                title: h.title,
                category: h.category,
                status: StoryStatus::parse(&h.status).unwrap_or(StoryStatus::Draft),
                snippet: h.snippet, // raw ts_headline; marked up by the caller (server::markdown)
            })
            .collect(),
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let id = Uuid::new_v4();
        let rank: f32 = 0.0607927;
        assert_eq!(parse_cursor(&format!("{rank}_{id}")), Some((rank, id)));
        assert_eq!(parse_cursor("nonsense"), None);
    }
}
