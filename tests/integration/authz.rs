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
];

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
    for actor in ["owner", "contributor", "viewer", "invited", "inactive", "outsider"] {
        cookies.push((actor, Some(app.signed_up(&format!("{actor}@example.com")).await)));
    }
    cookies.push(("anonymous", None));

    let owner_cookie = cookies[0].1.clone().unwrap();
    let created = app
        .post_fn("create_campaign", &[("title", "Dad's Life Stories"), ("goal_stories", "10")], Some(&owner_cookie), Client::Script)
        .await;
    let campaign: Uuid = sqlx::query_scalar("SELECT id FROM campaigns").fetch_one(&pool).await.unwrap();
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    for (actor, role, status) in [
        ("contributor", "contributor", "active"),
        ("viewer", "viewer", "active"),
        ("invited", "contributor", "invited"),
        ("inactive", "contributor", "inactive"),
    ] {
        sqlx::query(
            "INSERT INTO family_members (campaign_id, user_id, email, role, status)
             SELECT $1, id, email, $2, $3 FROM users WHERE email = $4",
        )
        .bind(campaign)
        .bind(role)
        .bind(status)
        .bind(format!("{actor}@example.com"))
        .execute(&pool)
        .await
        .unwrap();
    }

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
            let args = args(path, &campaign.to_string());
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
