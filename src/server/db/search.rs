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
/// A snippet is first looked for in this many characters, and in `SNIPPET_SOURCE_CHARS` only
/// when they hold no match. `ts_headline` costs what it reads (about 0.75 ms for a story of
/// 8,500 characters, 0.15 ms for 1,500): a page of 20 long stories found by a common word
/// took some 15 ms of PostgreSQL's time for its snippets alone, now about 3.
pub const SNIPPET_FIRST_CHARS: i32 = 1_500;

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
    // costly, only for the returned page, from the start of the text, and from further on only
    // when the start has no match.
    let rows = sqlx::query!(
        r#"WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),
           hits AS (SELECT * FROM q, search_story_ids(q.q, $2, $3, $4, $5, $6, $7, $8))
           SELECT s.id, s.campaign_id, c.title AS campaign_title, s.title, s.category,
                  coalesce(s.status, 'draft') AS "status!", h.rank AS "rank!",
                  CASE WHEN strpos(near.snippet, chr(1)) > 0 OR length(text.body) <= $10 THEN near.snippet
                       ELSE ts_headline('english', left(text.body, $9), h.q, text.options)
                  END AS "snippet!"
           FROM hits h JOIN stories s ON s.id = h.id JOIN campaigns c ON c.id = s.campaign_id,
                LATERAL (SELECT coalesce(s.content, '') || E'\n' || coalesce(s.transcription, '') AS body,
                                'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=35, MinWords=15, MaxFragments=2'
                                    AS options OFFSET 0) AS text,
                -- OFFSET 0: computed once per row, not once per mention below.
                LATERAL (SELECT ts_headline('english', left(text.body, $10), h.q, text.options) AS snippet OFFSET 0) AS near
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
        SNIPPET_FIRST_CHARS,
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
