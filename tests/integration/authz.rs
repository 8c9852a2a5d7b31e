//! The authorization matrix: every server function, for every kind of visitor. A server
//! function missing from TABLE fails `every_server_function_is_in_the_matrix`.
use std::collections::BTreeSet;

use http::StatusCode;
use mystoryflow::model::Role;
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{Client, TestApp};

#[derive(Clone, Copy, Debug)]
enum Needs {
    Nothing,
    Login,
    Campaign(Role),
}

const TABLE: &[(&str, Needs)] = &[
    ("/api/current_user", Needs::Nothing),
    ("/api/signup", Needs::Nothing),
    ("/api/login", Needs::Nothing),
    ("/api/logout", Needs::Nothing),
    ("/api/flash", Needs::Nothing),
    ("/api/account", Needs::Login),
    ("/api/dashboard", Needs::Login),
    ("/api/create_campaign", Needs::Login),
    ("/api/campaign", Needs::Campaign(Role::Viewer)),
    ("/api/update_campaign", Needs::Campaign(Role::Owner)),
    ("/api/set_campaign_status", Needs::Campaign(Role::Owner)),
    ("/api/delete_campaign", Needs::Campaign(Role::Owner)),
    ("/api/stories", Needs::Campaign(Role::Viewer)),
    ("/api/story", Needs::Campaign(Role::Viewer)),
    ("/api/create_story", Needs::Campaign(Role::Contributor)),
    ("/api/save_story", Needs::Campaign(Role::Contributor)),
    ("/api/set_story_status", Needs::Campaign(Role::Contributor)),
    ("/api/delete_story", Needs::Campaign(Role::Contributor)),
    ("/api/move_story", Needs::Campaign(Role::Owner)),
    ("/api/transcription_progress", Needs::Campaign(Role::Viewer)),
    ("/api/save_transcription", Needs::Campaign(Role::Contributor)),
    ("/api/use_transcription", Needs::Campaign(Role::Contributor)),
    ("/api/remove_audio", Needs::Campaign(Role::Contributor)),
    ("/api/search_stories", Needs::Login),
    ("/api/photos", Needs::Campaign(Role::Viewer)),
    ("/api/set_photo_caption", Needs::Campaign(Role::Contributor)),
    ("/api/link_photo", Needs::Campaign(Role::Contributor)),
    ("/api/delete_photo", Needs::Campaign(Role::Contributor)),
    ("/api/family", Needs::Campaign(Role::Viewer)),
    ("/api/invite_member", Needs::Campaign(Role::Owner)),
    ("/api/resend_invitation", Needs::Campaign(Role::Owner)),
    ("/api/revoke_invitation", Needs::Campaign(Role::Owner)),
    ("/api/set_member_role", Needs::Campaign(Role::Owner)),
    ("/api/set_member_permissions", Needs::Campaign(Role::Owner)),
    ("/api/set_member_active", Needs::Campaign(Role::Owner)),
    ("/api/transfer_ownership", Needs::Campaign(Role::Owner)),
    ("/api/invitation", Needs::Nothing),
    ("/api/accept_invitation", Needs::Login),
    ("/api/conversation", Needs::Campaign(Role::Viewer)),
    ("/api/add_comment", Needs::Campaign(Role::Viewer)),
    ("/api/edit_comment", Needs::Campaign(Role::Viewer)),
    ("/api/delete_comment", Needs::Campaign(Role::Viewer)),
    ("/api/set_heart", Needs::Campaign(Role::Viewer)),
    ("/api/set_story_emails", Needs::Login),
    ("/api/books", Needs::Campaign(Role::Viewer)),
    ("/api/book", Needs::Campaign(Role::Viewer)),
    ("/api/book_progress", Needs::Campaign(Role::Viewer)),
    // Designing needs can_design_books: owners have it, contributors only when granted
    // (books::a_contributor_designs_books_only_when_the_owner_allows_it).
    ("/api/create_book", Needs::Campaign(Role::Owner)),
    ("/api/save_book_details", Needs::Campaign(Role::Owner)),
    ("/api/save_book_cover", Needs::Campaign(Role::Owner)),
    ("/api/include_book_story", Needs::Campaign(Role::Owner)),
    ("/api/move_book_story", Needs::Campaign(Role::Owner)),
    ("/api/set_book_photo", Needs::Campaign(Role::Owner)),
    ("/api/set_book_qr", Needs::Campaign(Role::Owner)),
    ("/api/revoke_share_link", Needs::Campaign(Role::Owner)),
    ("/api/render_book", Needs::Campaign(Role::Owner)),
    ("/api/mark_book_ready", Needs::Campaign(Role::Owner)),
    ("/api/delete_book", Needs::Campaign(Role::Owner)),
    ("/api/copy_book", Needs::Campaign(Role::Owner)),
    ("/api/listening", Needs::Nothing),
    ("/api/unsubscribe", Needs::Nothing),
    // Last: members who may leave do.
    ("/api/leave_campaign", Needs::Campaign(Role::Viewer)),
];

/// A pending invitation (fresh each time for revoking) and an extra active member whose
/// role and permissions may be set without changing any actor's.
async fn pending_member(pool: &PgPool, campaign: Uuid) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO family_members (campaign_id, email, role, status) VALUES ($1, 'pending-' || gen_random_uuid() || '@example.com', 'viewer', 'invited') RETURNING id",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A comment on `story` written by `actor` (or by the owner for the anonymous visitor).
async fn comment_by(pool: &PgPool, story: Uuid, actor: &str) -> Uuid {
    let email = if actor == "anonymous" { "owner@example.com".to_owned() } else { format!("{actor}@example.com") };
    sqlx::query_scalar(
        "INSERT INTO story_comments (story_id, user_id, body) SELECT $1, id, 'Lovely' FROM users WHERE email = $2 RETURNING id",
    )
    .bind(story)
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A story written by the contributor (whom owners may also edit); destructive functions
/// get a fresh one each time.
async fn contributors_story(pool: &PgPool, campaign: Uuid) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO stories (campaign_id, title, content, created_by, transcription)
         SELECT $1, 'Their story', 'Some words', id, 'Spoken words' FROM users WHERE email = 'contributor@example.com'
         RETURNING id",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn contributors_photo(pool: &PgPool, campaign: Uuid) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO photos (campaign_id, user_id, filename, url)
         SELECT $1, id, 'p.jpg', '/media/x' FROM users WHERE email = 'contributor@example.com'
         RETURNING id",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A book of the campaign holding `story` (fresh each time, so deleting one is harmless).
async fn book_with(pool: &PgPool, campaign: Uuid, story: Uuid) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO books (campaign_id, user_id, title, design_data)
         SELECT $1, user_id, 'Matrix book', jsonb_build_object('stories', jsonb_build_array(jsonb_build_object('story_id', $2::uuid)))
         FROM campaigns WHERE id = $1 RETURNING id",
    )
    .bind(campaign)
    .bind(story)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Arguments for the story and photo functions.
async fn story_args(
    pool: &PgPool,
    path: &str,
    campaign: Uuid,
    story: Uuid,
    photo: Uuid,
    actor: &str,
) -> Option<Vec<(&'static str, String)>> {
    let c = ("campaign_id", campaign.to_string());
    let s = |id: Uuid| ("story_id", id.to_string());
    let p = |id: Uuid| ("photo_id", id.to_string());
    let m = |id: Uuid| ("member_id", id.to_string());
    Some(match path {
        "/api/stories" => vec![c],
        "/api/story" => vec![c, s(story)],
        "/api/transcription_progress" => vec![c, s(story)],
        "/api/create_story" => vec![c, ("title", "New one".into())],
        "/api/save_story" => vec![
            c,
            s(story),
            ("version", "1".into()),
            ("title", "Their story".into()),
            ("content", "Some words".into()),
            ("overwrite", "true".into()),
        ],
        "/api/set_story_status" => vec![c, s(story), ("status", "completed".into())],
        "/api/delete_story" => vec![c, s(contributors_story(pool, campaign).await)],
        "/api/move_story" => vec![c, s(story), ("position", "0".into())],
        "/api/save_transcription" => vec![c, s(story), ("transcription", "Spoken words".into())],
        "/api/use_transcription" => vec![c, s(story), ("mode", "append".into())],
        "/api/remove_audio" => vec![c, s(story)],
        "/api/search_stories" => vec![("q", "words".into())],
        "/api/photos" => vec![c],
        "/api/set_photo_caption" => vec![c, p(photo), ("caption", "At the lake".into())],
        "/api/link_photo" => vec![c, s(story), p(photo), ("attach", "true".into())],
        "/api/delete_photo" => vec![c, p(contributors_photo(pool, campaign).await)],
        "/api/family" | "/api/leave_campaign" => vec![c],
        "/api/invite_member" => vec![c, ("email", "matrix@example.com".into()), ("role", "viewer".into())],
        "/api/resend_invitation" | "/api/transfer_ownership" => vec![c, m(pending_member(pool, campaign).await)],
        "/api/revoke_invitation" => vec![c, m(pending_member(pool, campaign).await)],
        "/api/set_member_role" => vec![c, m(extra_member(pool).await), ("role", "contributor".into())],
        "/api/set_member_permissions" => vec![c, m(extra_member(pool).await), ("can_invite", "false".into())],
        "/api/set_member_active" => vec![c, m(extra_member(pool).await), ("active", "true".into())],
        "/api/invitation" | "/api/accept_invitation" => vec![("token", "matrix-token".into())],
        "/api/conversation" => vec![c, s(story)],
        "/api/add_comment" => vec![c, s(story), ("body", "Lovely".into())],
        "/api/edit_comment" => vec![
            c,
            s(story),
            ("comment_id", comment_by(pool, story, actor).await.to_string()),
            ("body", "Edited".into()),
        ],
        "/api/delete_comment" => vec![c, s(story), ("comment_id", comment_by(pool, story, actor).await.to_string())],
        "/api/set_heart" => vec![c, s(story), ("on", "true".into())],
        "/api/set_story_emails" => vec![("choice", "every".into())],
        "/api/books" => vec![c],
        "/api/create_book" => vec![c, ("title", "Dad's book".into())],
        book_fn if book_fn.contains("book") || book_fn == "/api/revoke_share_link" => {
            let mut args = vec![c, ("book_id", book_with(pool, campaign, story).await.to_string())];
            match book_fn {
                "/api/save_book_details" => args.extend([
                    ("title", "Dad".into()),
                    ("trim", "6x9".into()),
                    ("paper", "standard".into()),
                    ("binding", "paperback".into()),
                    ("template", "modern".into()),
                ]),
                "/api/save_book_cover" => args.extend([("layout", "text_only".into()), ("colour", "#336699".into())]),
                "/api/include_book_story" => args.extend([s(story), ("include", "true".into())]),
                "/api/move_book_story" => args.extend([s(story), ("position", "0".into())]),
                "/api/set_book_photo" => args.extend([s(story), p(photo), ("shown", "false".into())]),
                "/api/set_book_qr" => args.extend([s(story), ("on", "false".into())]),
                "/api/revoke_share_link" => args.push(s(story)),
                "/api/mark_book_ready" => args.push(("proofread", "true".into())),
                _ => {}
            }
            args
        }
        _ => return None,
    })
}

/// Arguments that pass validation, so only authorization decides; none destroys anything.
fn args(path: &str, campaign: &str) -> Vec<(&'static str, String)> {
    let c = || ("id", campaign.to_owned());
    match path {
        "/api/campaign" => vec![c()],
        "/api/update_campaign" => vec![c(), ("title", "Renamed".into()), ("goal_stories", "10".into())],
        "/api/set_campaign_status" => vec![c(), ("status", "active".into())],
        "/api/delete_campaign" => vec![c(), ("confirm_title", "not the title".into())],
        "/api/create_campaign" => vec![("title", "Mine".into()), ("goal_stories", "5".into())],
        _ => vec![],
    }
}

#[test]
fn every_server_function_is_in_the_matrix() {
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    let listed: BTreeSet<String> = TABLE.iter().map(|(path, _)| (*path).to_owned()).collect();
    assert_eq!(registered, listed, "add new server functions to the authorization TABLE");
}

#[sqlx::test]
async fn every_campaign_function_admits_exactly_the_right_members(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let mut cookies = Vec::new();
    app.signed_up("extra@example.com").await;
    for actor in ["owner", "contributor", "viewer", "invited", "inactive", "outsider"] {
        cookies.push((actor, Some(app.signed_up(&format!("{actor}@example.com")).await)));
    }
    cookies.push(("anonymous", None));

    let owner_cookie = cookies[0].1.clone().unwrap();
    let created = app
        .post_fn(
            "create_campaign",
            &[("title", "Dad's Life Stories"), ("goal_stories", "10")],
            Some(&owner_cookie),
            Client::Script,
        )
        .await;
    let campaign: Uuid = sqlx::query_scalar("SELECT id FROM campaigns").fetch_one(&pool).await.unwrap();
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    crate::helpers::add_members(
        &pool,
        campaign,
        &[
            ("contributor", "contributor", "active"),
            ("viewer", "viewer", "active"),
            ("invited", "contributor", "invited"),
            ("inactive", "contributor", "inactive"),
        ],
    )
    .await;

    let story = contributors_story(&pool, campaign).await;
    // An extra active member, and an invitation whose token is "matrix-token".
    sqlx::query(
        "INSERT INTO family_members (campaign_id, user_id, email, role, status)
         SELECT $1, id, email, 'contributor', 'active' FROM users WHERE email = 'extra@example.com'",
    )
    .bind(campaign)
    .execute(&pool)
    .await
    .unwrap();
    let invited = pending_member(&pool, campaign).await;
    sqlx::query(
        "INSERT INTO invitations (token_hash, family_member_id, campaign_id, email, expires_at)
         VALUES (sha256('matrix-token'), $1, $2, 'x@example.com', NOW() + interval '1 day')",
    )
    .bind(invited)
    .bind(campaign)
    .execute(&pool)
    .await
    .unwrap();
    let photo = contributors_photo(&pool, campaign).await;
    let role_of = |actor: &str| match actor {
        "owner" => Some(Role::Owner),
        "contributor" => Some(Role::Contributor),
        "viewer" => Some(Role::Viewer),
        _ => None,
    };
    let mut wrong = Vec::new();
    for (path, needs) in TABLE {
        for (actor, cookie) in &cookies {
            let expected = match (needs, cookie, role_of(actor)) {
                (Needs::Nothing, _, _) => None,
                (_, None, _) => Some(StatusCode::UNAUTHORIZED),
                (Needs::Login, Some(_), _) => None,
                (Needs::Campaign(_), Some(_), None) => Some(StatusCode::NOT_FOUND),
                (Needs::Campaign(min), Some(_), Some(role)) if role < *min => Some(StatusCode::FORBIDDEN),
                (Needs::Campaign(_), Some(_), Some(_)) => None,
            };
            if matches!(needs, Needs::Nothing) {
                continue; // public: covered by the authentication tests
            }
            let name = path.trim_start_matches("/api/");
            let args = match story_args(&pool, path, campaign, story, photo, actor).await {
                Some(args) => args,
                None => args(path, &campaign.to_string()),
            };
            let form: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let reply = app.post_fn(name, &form, cookie.as_deref(), Client::Script).await;
            let denied = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];
            let ok = match expected {
                Some(status) => reply.status == status,
                None => !denied.contains(&reply.status) && !reply.status.is_server_error(),
            };
            if !ok {
                wrong.push(format!("{actor} → {path}: got {} ({}), expected {expected:?}", reply.status, reply.body));
            }
        }
    }
    assert!(wrong.is_empty(), "authorization mismatches:\n{}", wrong.join("\n"));
}

async fn extra_member(pool: &PgPool) -> Uuid {
    sqlx::query_scalar("SELECT id FROM family_members WHERE email = 'extra@example.com'").fetch_one(pool).await.unwrap()
}
