//! The route matrix: every axum route (media, listening links, health) for every kind of
//! visitor, as `authz.rs` does for server functions. A route in `server::http::ROUTES`
//! missing from MATRIX (or listed with other access) fails `every_route_is_in_the_matrix`.
use std::collections::BTreeSet;

use http::StatusCode;
use mystoryflow::model::Role;
use mystoryflow::server::http::{RouteAccess, ROUTES};
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{family, media_file, visitors};
use crate::helpers::{Client, TestApp};

const MATRIX: &[(&str, &str, RouteAccess)] = &[
    ("GET", "/healthz", RouteAccess::Anyone),
    ("GET", "/media/campaigns/{campaign_id}/stories/{story_id}/audio", RouteAccess::Member(Role::Viewer)),
    ("POST", "/media/campaigns/{campaign_id}/stories/{story_id}/audio", RouteAccess::Member(Role::Contributor)),
    ("POST", "/media/campaigns/{campaign_id}/photos", RouteAccess::Member(Role::Contributor)),
    ("GET", "/media/campaigns/{campaign_id}/photos/{photo_id}/{variant}", RouteAccess::Member(Role::Viewer)),
    (
        "GET",
        "/media/campaigns/{campaign_id}/books/{book_id}/renders/{render_id}/{file}",
        RouteAccess::Member(Role::Viewer),
    ),
    (
        "GET",
        "/media/campaigns/{campaign_id}/books/{book_id}/renders/{render_id}/pages/{page}",
        RouteAccess::Member(Role::Viewer),
    ),
    ("POST", "/campaigns/{campaign_id}/questions/cards", RouteAccess::Member(Role::Owner)),
    // Seen before anyone uploads a new one (which replaces the address).
    ("GET", "/media/avatars/{user_id}/{avatar_id}", RouteAccess::SharesACampaign),
    ("POST", "/media/avatar", RouteAccess::SignedIn),
    ("GET", "/media/exports/{export_id}/download", RouteAccess::Yours),
    // The owner's order; the outsider is staff in this world.
    ("GET", "/media/orders/{order_id}/{file}", RouteAccess::YoursOrStaff),
    ("GET", "/media/listen/{token}", RouteAccess::SignedLink),
    // The print provider fetches an order's files through signed, expiring links.
    ("GET", "/print-files/{order_id}/{file}", RouteAccess::SignedLink),
    // Lulu's webhook: no visitor can sign its body (tests/integration/orders.rs signs one).
    ("POST", "/webhooks/lulu", RouteAccess::PrintProvider),
    // Inbound mail: only the mail service knows the secret (tests/integration/replies.rs posts with it).
    ("POST", "/inbound/email", RouteAccess::MailService),
    ("POST", "/s/{token}/answer", RouteAccess::StorytellerLink),
    ("GET", "/s/{token}/photos/{photo_id}", RouteAccess::StorytellerLink),
];

#[test]
fn every_route_is_in_the_matrix() {
    let registered: BTreeSet<String> =
        ROUTES.iter().map(|r| format!("{} {} {:?}", r.method, r.path, r.access)).collect();
    let listed: BTreeSet<String> = MATRIX.iter().map(|(m, p, a)| format!("{m} {p} {a:?}")).collect();
    assert_eq!(registered, listed, "add new routes, with who may use them, to the route MATRIX");
}

fn role_of(actor: &str) -> Option<Role> {
    match actor {
        "owner" => Some(Role::Owner),
        "contributor" => Some(Role::Contributor),
        "viewer" => Some(Role::Viewer),
        _ => None,
    }
}

/// Everything the routes address: a campaign whose story has a recording and a photo, and a
/// book with a finished render, all with real files in storage.
struct World {
    campaign: Uuid,
    story: Uuid,
    photo: Uuid,
    book: Uuid,
    render: Uuid,
    listen_token: String,
    /// The campaign's storyteller link, with a sent question about `photo`.
    storyteller_token: String,
    question: Uuid,
    /// The owner's finished "Download my data" ZIP.
    export: Uuid,
    /// The owner's picture.
    owner: Uuid,
    avatar: Uuid,
    /// The owner's order, with its printed files.
    order: Uuid,
    /// A signed link to the order's interior, as the print provider is given.
    print_file: String,
}

async fn world(app: &TestApp, pool: &PgPool) -> (World, Vec<(&'static str, Option<String>)>) {
    let f = family(app, pool).await;
    let cookies = visitors(app, pool, &f).await;
    let campaign = f.campaign;
    let story: Uuid = sqlx::query_scalar(
        "INSERT INTO stories (campaign_id, title, content, created_by, status)
         SELECT $1, 'Told', 'Words', id, 'completed' FROM users WHERE email = 'contributor@example.com'
         RETURNING id",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap();
    let audio_key = format!("campaigns/{campaign}/stories/{story}/matrix.wav");
    sqlx::query("UPDATE stories SET audio_mime = 'audio/wav', metadata = jsonb_build_object('audio_key', $2::text) WHERE id = $1")
        .bind(story)
        .bind(&audio_key)
        .execute(pool)
        .await
        .unwrap();
    let storage = &app.state.storage;
    storage.put_bytes(&audio_key, b"RIFF....WAVE".to_vec()).await.unwrap();
    let photo: Uuid = sqlx::query_scalar(
        "INSERT INTO photos (campaign_id, user_id, filename, url)
         SELECT $1, id, 'p.jpg', '/media/x' FROM users WHERE email = 'contributor@example.com' RETURNING id",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap();
    storage.put_bytes(&format!("campaigns/{campaign}/photos/{photo}/thumb"), b"jpeg".to_vec()).await.unwrap();
    let render = Uuid::new_v4();
    let book: Uuid = sqlx::query_scalar(
        "INSERT INTO books (campaign_id, user_id, title, render_id, render_status)
         SELECT $1, user_id, 'Book', $2, 'done' FROM campaigns WHERE id = $1 RETURNING id",
    )
    .bind(campaign)
    .bind(render)
    .fetch_one(pool)
    .await
    .unwrap();
    let prefix = format!("campaigns/{campaign}/books/{book}/renders/{render}");
    storage.put_bytes(&format!("{prefix}/book.pdf"), b"%PDF-".to_vec()).await.unwrap();
    storage.put_bytes(&format!("{prefix}/pages/1.png"), b"png".to_vec()).await.unwrap();
    let link: Uuid = sqlx::query_scalar(
        "INSERT INTO story_share_links (story_id, campaign_id, created_by)
         SELECT $1, $2, user_id FROM campaigns WHERE id = $2 RETURNING id",
    )
    .bind(story)
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap();
    let listen_token = mystoryflow::server::http::listen::token_for(&app.state, link);
    storage.put_bytes(&format!("campaigns/{campaign}/photos/{photo}/display"), b"jpeg".to_vec()).await.unwrap();
    let question = crate::storyteller::sent_question(pool, campaign, Some(photo)).await;
    let storyteller_token = crate::storyteller::link(app, pool, campaign).await;
    let export: Uuid = sqlx::query_scalar(
        "INSERT INTO data_exports (user_id, status, progress, storage_key, size_bytes, expires_at)
         SELECT id, 'ready', 100, 'exports/x/matrix.zip', 2, now() + interval '7 days' FROM users
         WHERE email = 'owner@example.com' RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    storage.put_bytes("exports/x/matrix.zip", b"PK".to_vec()).await.unwrap();
    let (owner, avatar): (Uuid, Uuid) = (
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner@example.com'").fetch_one(pool).await.unwrap(),
        Uuid::new_v4(),
    );
    sqlx::query("UPDATE users SET avatar_url = $2 WHERE id = $1")
        .bind(owner)
        .bind(mystoryflow::urls::avatar(owner, avatar))
        .execute(pool)
        .await
        .unwrap();
    storage.put_bytes(&mystoryflow::server::keys::avatar(owner, avatar), b"jpeg".to_vec()).await.unwrap();
    let order: Uuid = sqlx::query_scalar(
        "INSERT INTO book_orders (user_id, campaign_id, quantity, shipping_address, order_number)
         VALUES ($1, $2, 1, '{}', 'MSF-MATR-IX22') RETURNING id",
    )
    .bind(owner)
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap();
    storage.put_bytes(&mystoryflow::server::keys::order_file(order, "interior.pdf"), b"%PDF-".to_vec()).await.unwrap();
    sqlx::query("UPDATE users SET is_staff = true WHERE email = 'outsider@example.com'").execute(pool).await.unwrap();
    let expires = chrono::Utc::now().timestamp() + 3600;
    let print_file = app.state.signer.print_file_link("", order, "interior.pdf", expires);
    let world = World {
        print_file,
        order,
        campaign,
        story,
        photo,
        book,
        render,
        listen_token,
        storyteller_token,
        question,
        export,
        owner,
        avatar,
    };
    (world, cookies)
}

/// The request that uses `path` on the world: a real address, and for uploads a body.
fn request(world: &World, method: &str, path: &str) -> (String, Option<(&'static str, Vec<u8>)>) {
    if path.starts_with("/print-files/") {
        return (world.print_file.clone(), None);
    }
    let filled = path
        .replace("{campaign_id}", &world.campaign.to_string())
        .replace("{story_id}", &world.story.to_string())
        .replace("{photo_id}", &world.photo.to_string())
        .replace("{variant}", "thumb")
        .replace("{book_id}", &world.book.to_string())
        .replace("{render_id}", &world.render.to_string())
        .replace("{order_id}", &world.order.to_string())
        .replace("{file}", if path.starts_with("/media/orders/") { "interior.pdf" } else { "book.pdf" })
        .replace("{page}", "1.png")
        .replace("{export_id}", &world.export.to_string())
        .replace("{user_id}", &world.owner.to_string())
        .replace("{avatar_id}", &world.avatar.to_string())
        .replace("{token}", if path.starts_with("/s/") { &world.storyteller_token } else { &world.listen_token });
    let body = match (method, path) {
        ("POST", p) if p.ends_with("/audio") || p.ends_with("/answer") => Some(("audio", media_file("speech.wav"))),
        ("POST", p) if p.ends_with("/photos") => Some(("photos", media_file("photo_orient6_gps.jpg"))),
        ("POST", "/media/avatar") => Some(("avatar", media_file("photo_orient6_gps.jpg"))),
        _ => None,
    };
    (filled, body)
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn every_route_admits_exactly_the_right_visitors(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let (world, cookies) = world(&app, &pool).await;
    let mut wrong = Vec::new();
    for (method, path, access) in MATRIX {
        for (actor, cookie) in &cookies {
            let expected = match (access, cookie, role_of(actor)) {
                (RouteAccess::Anyone | RouteAccess::SignedLink | RouteAccess::StorytellerLink, _, _) => None,
                (RouteAccess::PrintProvider | RouteAccess::MailService, _, _) => Some(StatusCode::UNAUTHORIZED),
                (RouteAccess::Member(_), None, _) => Some(StatusCode::UNAUTHORIZED),
                (RouteAccess::Member(_), Some(_), None) => Some(StatusCode::NOT_FOUND),
                (RouteAccess::Member(min), Some(_), Some(role)) if role < *min => Some(StatusCode::FORBIDDEN),
                (RouteAccess::Member(_), Some(_), Some(_)) => None,
                (RouteAccess::YoursOrStaff, None, _) => Some(StatusCode::UNAUTHORIZED),
                (RouteAccess::YoursOrStaff, Some(_), _) if matches!(*actor, "owner" | "outsider") => None,
                (RouteAccess::YoursOrStaff, Some(_), _) => Some(StatusCode::NOT_FOUND),
                (RouteAccess::Yours | RouteAccess::SignedIn | RouteAccess::SharesACampaign, None, _) => {
                    Some(StatusCode::UNAUTHORIZED)
                }
                (RouteAccess::SignedIn, Some(_), _) => None,
                (RouteAccess::SharesACampaign, Some(_), None) if *actor != "owner" => Some(StatusCode::NOT_FOUND),
                (RouteAccess::SharesACampaign, Some(_), _) => None,
                (RouteAccess::Yours, Some(_), _) if *actor == "owner" => None,
                (RouteAccess::Yours, Some(_), _) => Some(StatusCode::NOT_FOUND),
            };
            let (address, body) = request(&world, method, path);
            let status = match body {
                // Every visitor answers the same question: the first makes the story, the
                // rest are told it was answered (a resend), all successfully.
                Some((field, bytes)) if path.starts_with("/s/") => {
                    let question = world.question.to_string();
                    let fields = [("question_id", question.as_str())];
                    app.upload_with(&address, &fields, field, &[("answer.wav", &bytes)], cookie.as_deref()).await.status
                }
                Some((field, bytes)) => {
                    app.upload(&address, field, &[("file", &bytes)], cookie.as_deref()).await.status
                }
                // The question cards: a plain form of the open questions (one is sent); the
                // webhook's unsigned body.
                None if *method == "POST" => {
                    app.post_form(&address, &[("paper", "a4")], cookie.as_deref(), Client::Script).await.0
                }
                None => app.get_bytes(&address, cookie.as_deref(), None).await.0,
            };
            let ok = match expected {
                Some(denied) => status == denied,
                None => status.is_success(),
            };
            if !ok {
                wrong.push(format!("{actor} → {method} {path}: got {status}, expected {expected:?}"));
            }
        }
    }
    // A listening link stops working when it is forged or revoked.
    // A storyteller's routes answer 404 to any other token, and to a replaced one.
    for path in
        [format!("/s/{}x/photos/{}", world.storyteller_token, world.photo), format!("/s/x/photos/{}", world.photo)]
    {
        assert_eq!(app.get_bytes(&path, None, None).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let forged = format!("/media/listen/{}x", world.listen_token);
    assert_eq!(app.get_bytes(&forged, None, None).await.0, StatusCode::NOT_FOUND);
    // A print-file link stops working when it is changed in any part or has expired.
    let (link, sig) = world.print_file.split_once("&sig=").unwrap();
    let expired = app.state.signer.print_file_link("", world.order, "interior.pdf", 1_000_000_000);
    for forged in [
        format!("{link}&sig=x{sig}"),
        format!("{link}&sig="),
        link.to_owned(),
        world.print_file.replace("interior.pdf", "cover.pdf"),
        world.print_file.replace("expires=", "expires=1"),
        world.print_file.replace(&world.order.to_string(), &Uuid::new_v4().to_string()),
        expired,
    ] {
        assert_eq!(app.get_bytes(&forged, None, None).await.0, StatusCode::NOT_FOUND, "{forged}");
    }
    sqlx::query("UPDATE story_share_links SET revoked_at = NOW()").execute(&pool).await.unwrap();
    let revoked = format!("/media/listen/{}", world.listen_token);
    assert_eq!(app.get_bytes(&revoked, None, None).await.0, StatusCode::NOT_FOUND);
    assert!(wrong.is_empty(), "route authorization mismatches:\n{}", wrong.join("\n"));
}
