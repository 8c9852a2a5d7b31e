//! Row-level security, table by table: who may see, insert, update and delete, checked as
//! role `authenticated` with `request.jwt.claim.sub` set (the app's own `db::act_as`, which
//! every `Db::begin_as` starts with).
use mystoryflow::server::db;
use sqlx::PgPool;
use uuid::Uuid;

const ACTORS: [&str; 6] = ["owner", "contributor", "viewer", "invited", "inactive", "outsider"];
const MEMBERS: &[&str] = &["owner", "contributor", "viewer"];
const WRITERS: &[&str] = &["owner", "contributor"];
const OWNER: &[&str] = &["owner"];
const NOBODY: &[&str] = &[];

struct World {
    users: Vec<(&'static str, Uuid)>,
    campaign: Uuid,
    spare_campaign: Uuid,
    story: Uuid,
    owners_story: Uuid,
    owner_membership: Uuid,
    spare_membership: Uuid,
    book: Uuid,
    spare_book: Uuid,
    order: Uuid,
    photo: Uuid,
}

impl World {
    fn user(&self, name: &str) -> Uuid {
        self.users.iter().find(|(n, _)| *n == name).unwrap().1
    }
}

async fn scalar(pool: &PgPool, sql: &str) -> Uuid {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Builds the campaign and its neighbours as the server's own role (RLS does not apply).
async fn world(pool: &PgPool) -> World {
    let mut users = Vec::new();
    for name in ACTORS {
        let id = scalar(
            pool,
            &format!(
                "WITH a AS (INSERT INTO auth.users (email, encrypted_password) VALUES ('{name}@example.com', 'x') RETURNING id)
                 INSERT INTO users (id, email, name) SELECT id, '{name}@example.com', '{name}' FROM a RETURNING id"
            ),
        )
        .await;
        users.push((name, id));
    }
    let u = |n: &str| users.iter().find(|(x, _)| *x == n).unwrap().1;
    let owner = u("owner");

    let mut campaigns = Vec::new();
    let mut memberships = Vec::new();
    for title in ["Dad's Life Stories", "Spare"] {
        let c = scalar(
            pool,
            &format!(
                "INSERT INTO campaigns (user_id, title) VALUES ('{owner}', '{}') RETURNING id",
                title.replace('\'', "''")
            ),
        )
        .await;
        for (name, role, status) in [
            ("owner", "owner", "active"),
            ("contributor", "contributor", "active"),
            ("viewer", "viewer", "active"),
            ("invited", "contributor", "invited"),
            ("inactive", "contributor", "inactive"),
        ] {
            let id = scalar(
                pool,
                &format!(
                    "INSERT INTO family_members (campaign_id, user_id, email, role, status, invited_by)
                     VALUES ('{c}', '{}', '{name}@example.com', '{role}', '{status}', '{owner}') RETURNING id",
                    u(name)
                ),
            )
            .await;
            memberships.push((title, name, id));
        }
        campaigns.push(c);
    }
    let campaign = campaigns[0];
    let contributor = u("contributor");
    let story = scalar(pool, &format!("INSERT INTO stories (campaign_id, title, content, created_by) VALUES ('{campaign}', 'The farm', 'We had cows.', '{contributor}') RETURNING id")).await;
    let owners_story = scalar(pool, &format!("INSERT INTO stories (campaign_id, title, content, created_by) VALUES ('{campaign}', 'The war', 'Rationing.', '{owner}') RETURNING id")).await;
    let book = scalar(
        pool,
        &format!(
            "INSERT INTO books (campaign_id, user_id, title) VALUES ('{campaign}', '{owner}', 'Dad') RETURNING id"
        ),
    )
    .await;
    let spare_book = scalar(
        pool,
        &format!(
            "INSERT INTO books (campaign_id, user_id, title) VALUES ('{campaign}', '{owner}', 'Draft') RETURNING id"
        ),
    )
    .await;
    let order = scalar(pool, &format!("INSERT INTO book_orders (book_id, user_id, shipping_address) VALUES ('{book}', '{owner}', '{{}}') RETURNING id")).await;
    let photo = scalar(
        pool,
        &format!(
            "INSERT INTO photos (user_id, story_id, campaign_id, filename, url)
             VALUES ('{}', '{story}', '{campaign}', 'farm.jpg', '/media/farm.jpg') RETURNING id",
            u("contributor")
        ),
    )
    .await;
    let find = |t: &str, n: &str| memberships.iter().find(|(a, b, _)| *a == t && *b == n).unwrap().2;
    World {
        owner_membership: find("Dad's Life Stories", "owner"),
        spare_membership: find("Spare", "invited"),
        users,
        campaign,
        spare_campaign: campaigns[1],
        story,
        book,
        spare_book,
        owners_story,
        order,
        photo,
    }
}

/// Runs `sql` as `actor` and rolls back; true when it touched (or saw) at least one row.
async fn allowed(pool: &PgPool, actor: Uuid, sql: &str) -> bool {
    let mut tx = pool.begin().await.unwrap();
    db::act_as(&mut tx, actor).await.unwrap();
    let wrapped = if sql.trim_start().to_uppercase().starts_with("SELECT") {
        format!("SELECT count(*) FROM ({sql}) AS seen")
    } else {
        format!("WITH changed AS ({sql} RETURNING 1) SELECT count(*) FROM changed")
    };
    let result: Result<i64, sqlx::Error> = sqlx::query_scalar(&wrapped).fetch_one(&mut *tx).await;
    match result {
        Ok(n) => n > 0,
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42501") => false,
        Err(e) => panic!("{sql}: {e}"),
    }
}

struct Case {
    table: &'static str,
    op: &'static str,
    sql: String,
    allowed: &'static [&'static str],
}

fn cases(w: &World) -> Vec<Case> {
    let (k, k2, s, b, b2, o, p) = (w.campaign, w.spare_campaign, w.story, w.book, w.spare_book, w.order, w.photo);
    let (m, m2) = (w.owner_membership, w.spare_membership);
    let (os, owner) = (w.owners_story, w.user("owner"));
    let case = |table, op, sql: String, allowed| Case { table, op, sql, allowed };
    vec![
        case("campaigns", "see", format!("SELECT 1 FROM campaigns WHERE id = '{k}'"), MEMBERS),
        case("campaigns", "update", format!("UPDATE campaigns SET title = title WHERE id = '{k}'"), OWNER),
        case("campaigns", "delete", format!("DELETE FROM campaigns WHERE id = '{k2}'"), OWNER),
        case("campaign_stats", "see", format!("SELECT 1 FROM campaign_stats WHERE id = '{k}'"), MEMBERS),
        case("campaign_story_totals", "see", format!("SELECT 1 FROM campaign_story_totals WHERE campaign_id = '{k}'"), MEMBERS),
        // Kept by triggers on stories only.
        case(
            "campaign_story_totals",
            "insert",
            format!("INSERT INTO campaign_story_totals (campaign_id) VALUES ('{k2}')"),
            NOBODY,
        ),
        case(
            "campaign_story_totals",
            "update",
            format!("UPDATE campaign_story_totals SET story_count = 0 WHERE campaign_id = '{k}'"),
            NOBODY,
        ),
        case("campaign_story_totals", "delete", format!("DELETE FROM campaign_story_totals WHERE campaign_id = '{k}'"), NOBODY),
        case("stories", "see", format!("SELECT 1 FROM stories WHERE id = '{s}'"), MEMBERS),
        case("stories", "insert", format!("INSERT INTO stories (campaign_id, title, created_by) VALUES ('{k}', 'New', auth.uid())"), WRITERS),
        case("stories", "update", format!("UPDATE stories SET title = 'Changed' WHERE id = '{s}'"), WRITERS),
        case("stories", "delete", format!("DELETE FROM stories WHERE id = '{s}'"), WRITERS),
        // Contributors write only their own stories; owners write everyone's.
        case("stories", "update others'", format!("UPDATE stories SET title = 'Changed' WHERE id = '{os}'"), OWNER),
        case("stories", "delete others'", format!("DELETE FROM stories WHERE id = '{os}'"), OWNER),
        case("stories", "insert as another", format!("INSERT INTO stories (campaign_id, title, created_by) VALUES ('{k}', 'New', '{owner}')"), OWNER),
        case("family_members", "see", format!("SELECT 1 FROM family_members WHERE id = '{m}'"), MEMBERS),
        case(
            "family_members",
            "insert",
            format!("INSERT INTO family_members (campaign_id, email, role) VALUES ('{k}', 'new@example.com', 'viewer')"),
            OWNER,
        ),
        case("family_members", "update", format!("UPDATE family_members SET name = 'x' WHERE id = '{m}'"), OWNER),
        case("family_members", "delete", format!("DELETE FROM family_members WHERE id = '{m2}'"), OWNER),
        case("books", "see", format!("SELECT 1 FROM books WHERE id = '{b}'"), MEMBERS),
        case("books", "update", format!("UPDATE books SET title = 'x' WHERE id = '{b}'"), OWNER),
        case("books", "delete", format!("DELETE FROM books WHERE id = '{b2}'"), OWNER),
        case("book_orders", "see", format!("SELECT 1 FROM book_orders WHERE id = '{o}'"), OWNER),
        case("book_orders", "update", format!("UPDATE book_orders SET status = 'delivered' WHERE id = '{o}'"), NOBODY),
        case("book_orders", "delete", format!("DELETE FROM book_orders WHERE id = '{o}'"), NOBODY),
        case("photos", "see", format!("SELECT 1 FROM photos WHERE id = '{p}'"), MEMBERS),
        case(
            "photos",
            "insert",
            format!("INSERT INTO photos (user_id, campaign_id, filename, url) VALUES (auth.uid(), '{k}', 'b.jpg', '/media/b.jpg')"),
            WRITERS,
        ),
        case("photos", "update", format!("UPDATE photos SET caption = 'x' WHERE id = '{p}'"), WRITERS),
        case("photos", "delete", format!("DELETE FROM photos WHERE id = '{p}'"), WRITERS),
        // Everyone may start a campaign of their own, books need the owner; orders are placed
        // by the server only (it computes the price), never by a member's direct write.
        case("campaigns", "insert", "INSERT INTO campaigns (user_id, title) VALUES (auth.uid(), 'Mine')".into(), &ACTORS),
        case(
            "books",
            "insert",
            format!("INSERT INTO books (campaign_id, user_id, title) VALUES ('{k}', auth.uid(), 'Another')"),
            OWNER,
        ),
        case(
            "book_orders",
            "insert",
            format!("INSERT INTO book_orders (book_id, user_id, shipping_address) VALUES ('{b}', auth.uid(), '{{}}')"),
            NOBODY,
        ),
        case("users", "see", format!("SELECT 1 FROM users WHERE id = '{}'", w.user("owner")), MEMBERS),
        case("users", "update", format!("UPDATE users SET name = 'x' WHERE id = '{}'", w.user("owner")), OWNER),
        case("users", "delete", format!("DELETE FROM users WHERE id = '{}'", w.user("outsider")), &["outsider"]),
    ]
}

#[sqlx::test]
async fn each_role_sees_and_changes_exactly_what_it_may(pool: PgPool) {
    let w = world(&pool).await;
    let mut wrong = Vec::new();
    let mut checked = 0;
    for case in cases(&w) {
        for actor in ACTORS {
            let expected = case.allowed.contains(&actor);
            let actual = allowed(&pool, w.user(actor), &case.sql).await;
            checked += 1;
            if actual != expected {
                wrong.push(format!(
                    "{actor} {} {}: expected {}, got {}",
                    case.op,
                    case.table,
                    if expected { "allowed" } else { "denied" },
                    if actual { "allowed" } else { "denied" }
                ));
            }
        }
    }
    assert!(checked >= 150);
    assert!(wrong.is_empty(), "row-level security mismatches:\n{}", wrong.join("\n"));
}

#[sqlx::test]
async fn nobody_writes_rows_in_someone_elses_name(pool: PgPool) {
    let w = world(&pool).await;
    let owner = w.user("owner");
    for actor in ["contributor", "viewer", "outsider"] {
        for sql in [
            format!("INSERT INTO campaigns (user_id, title) VALUES ('{owner}', 'Forged')"),
            format!(
                "INSERT INTO photos (user_id, campaign_id, filename, url) VALUES ('{owner}', '{}', 'f.jpg', '/f.jpg')",
                w.campaign
            ),
            format!("INSERT INTO users (id, email) VALUES ('{owner}', 'forged@example.com') ON CONFLICT DO NOTHING"),
        ] {
            assert!(!allowed(&pool, w.user(actor), &sql).await, "{actor}: {sql}");
        }
    }
}

#[sqlx::test]
async fn an_invited_person_sees_their_invitation_and_nothing_else(pool: PgPool) {
    let w = world(&pool).await;
    let invited = w.user("invited");
    let own = format!("SELECT 1 FROM family_members WHERE user_id = '{invited}' AND campaign_id = '{}'", w.campaign);
    assert!(allowed(&pool, invited, &own).await);
    let others = format!("SELECT 1 FROM family_members WHERE user_id <> '{invited}'");
    assert!(!allowed(&pool, invited, &others).await);
    assert!(!allowed(&pool, invited, "SELECT 1 FROM stories").await);
}

#[sqlx::test]
async fn a_new_account_may_create_only_its_own_profile(pool: PgPool) {
    let w = world(&pool).await;
    let fresh = scalar(
        &pool,
        "INSERT INTO auth.users (email, encrypted_password) VALUES ('new@example.com', 'x') RETURNING id",
    )
    .await;
    let insert = format!("INSERT INTO users (id, email) VALUES ('{fresh}', 'new@example.com')");
    assert!(!allowed(&pool, w.user("outsider"), &insert).await);
    assert!(allowed(&pool, fresh, &insert).await);
}

#[sqlx::test]
async fn members_cannot_read_credentials_or_the_job_queue(pool: PgPool) {
    let w = world(&pool).await;
    for sql in ["SELECT 1 FROM auth.users", "SELECT 1 FROM jobs"] {
        let mut tx = pool.begin().await.unwrap();
        db::act_as(&mut tx, w.user("owner")).await.unwrap();
        let err = sqlx::query(sql).execute(&mut *tx).await.unwrap_err();
        assert!(err.to_string().contains("permission denied"), "{sql}: {err}");
    }
}

/// Sessions (with the user id beside each) are the server's: a member's role may not read
/// the schema, and were it ever granted, row-level security with no policy shows nothing.
#[sqlx::test]
async fn members_cannot_read_sessions_even_if_granted(pool: PgPool) {
    let w = world(&pool).await;
    let owner = w.user("owner");
    sqlx::query("INSERT INTO tower_sessions.session (id, data, expiry_date, user_id) VALUES ('s1', '\\x00', now() + interval '1 day', $1)")
        .bind(owner)
        .execute(&pool)
        .await
        .unwrap();
    let sql = "SELECT 1 FROM tower_sessions.session";
    assert!(!allowed(&pool, owner, sql).await, "no access to the schema");
    sqlx::query("GRANT USAGE ON SCHEMA tower_sessions TO authenticated").execute(&pool).await.unwrap();
    sqlx::query("GRANT SELECT ON tower_sessions.session TO authenticated").execute(&pool).await.unwrap();
    assert!(!allowed(&pool, owner, sql).await, "granted, yet no row is visible");
}

/// "Download my data" rows: each person reads their own; only the server writes them.
#[sqlx::test]
async fn a_person_sees_only_their_own_exports_and_cannot_write_them(pool: PgPool) {
    let w = world(&pool).await;
    let (owner, viewer) = (w.user("owner"), w.user("viewer"));
    let export = scalar(
        &pool,
        &format!(
            "INSERT INTO data_exports (user_id, status, storage_key) VALUES ('{owner}', 'ready', 'k') RETURNING id"
        ),
    )
    .await;
    let see = format!("SELECT 1 FROM data_exports WHERE id = '{export}'");
    assert!(allowed(&pool, owner, &see).await);
    assert!(!allowed(&pool, viewer, &see).await);
    for sql in [
        format!("INSERT INTO data_exports (user_id) VALUES ('{owner}')"),
        format!("UPDATE data_exports SET expires_at = now() + interval '1 year' WHERE id = '{export}'"),
        format!("DELETE FROM data_exports WHERE id = '{export}'"),
    ] {
        assert!(!allowed(&pool, owner, &sql).await, "{sql}");
    }
}

/// An order's history is seen by whoever sees the order (its orderer), and written by the
/// server only; the address book is each person's own.
#[sqlx::test]
async fn order_history_and_addresses_are_their_owners_only(pool: PgPool) {
    let w = world(&pool).await;
    let (owner, viewer, order) = (w.user("owner"), w.user("viewer"), w.order);
    sqlx::query("INSERT INTO order_events (order_id, actor, to_status) VALUES ($1, 'customer', 'pending')")
        .bind(order)
        .execute(&pool)
        .await
        .unwrap();
    let see = format!("SELECT 1 FROM order_events WHERE order_id = '{order}'");
    assert!(allowed(&pool, owner, &see).await);
    for other in ["viewer", "contributor", "outsider"] {
        assert!(!allowed(&pool, w.user(other), &see).await, "{other}");
    }
    for sql in [
        format!("INSERT INTO order_events (order_id, actor, to_status) VALUES ('{order}', 'staff', 'delivered')"),
        format!("UPDATE order_events SET to_status = 'delivered' WHERE order_id = '{order}'"),
        format!("DELETE FROM order_events WHERE order_id = '{order}'"),
        format!("UPDATE book_orders SET total_price = 0 WHERE id = '{order}'"),
    ] {
        assert!(!allowed(&pool, owner, &sql).await, "{sql}");
    }

    let mine = "INSERT INTO addresses (user_id, name, line1, city, postal_code, country, phone)
                VALUES (auth.uid(), 'Ann', '1 Mill Lane', 'Springfield', '62701', 'US', '555 1234')";
    assert!(allowed(&pool, owner, mine).await);
    let address = scalar(&pool, &format!("INSERT INTO addresses (user_id, name, line1, city, postal_code, country, phone) VALUES ('{owner}', 'Ann', '2 Mill Lane', 'Springfield', '62701', 'US', '555 1234') RETURNING id")).await;
    let see = format!("SELECT 1 FROM addresses WHERE id = '{address}'");
    assert!(allowed(&pool, owner, &see).await);
    assert!(!allowed(&pool, viewer, &see).await);
    let theirs = format!(
        "INSERT INTO addresses (user_id, name, line1, city, postal_code, country, phone)
         VALUES ('{viewer}', 'X', '1 Road', 'Town', '1', 'US', '555 1234')"
    );
    assert!(!allowed(&pool, owner, &theirs).await, "nobody writes into another's address book");
    for sql in [
        format!("UPDATE addresses SET city = 'Elsewhere' WHERE id = '{address}'"),
        format!("DELETE FROM addresses WHERE id = '{address}'"),
    ] {
        assert!(!allowed(&pool, viewer, &sql).await, "{sql}");
        assert!(allowed(&pool, owner, &sql).await, "{sql}");
    }
}

/// Emailed answers: the server writes them; members who manage the questions (the owner
/// here) read them and publish or discard a held one, and nobody else sees them.
#[sqlx::test]
async fn emailed_replies_are_read_and_decided_by_those_who_manage_questions(pool: PgPool) {
    let w = world(&pool).await;
    let (owner, campaign) = (w.user("owner"), w.campaign);
    let held = scalar(
        &pool,
        &format!(
            "INSERT INTO email_replies (campaign_id, message_key, sender, status, body)
             VALUES ('{campaign}', 'm1@example.com', 'stranger@example.com', 'held', 'Hello') RETURNING id"
        ),
    )
    .await;
    let answered = scalar(
        &pool,
        &format!(
            "INSERT INTO email_replies (campaign_id, message_key, sender, status)
             VALUES ('{campaign}', 'm2@example.com', 'dad@example.com', 'answered') RETURNING id"
        ),
    )
    .await;
    let see = format!("SELECT 1 FROM email_replies WHERE id = '{held}'");
    assert!(allowed(&pool, owner, &see).await);
    for other in ["viewer", "invited", "inactive", "outsider"] {
        assert!(!allowed(&pool, w.user(other), &see).await, "{other}");
    }
    let publish = |id: Uuid| format!("UPDATE email_replies SET status = 'published' WHERE id = '{id}'");
    assert!(allowed(&pool, owner, &publish(held)).await);
    assert!(!allowed(&pool, w.user("viewer"), &publish(held)).await);
    assert!(!allowed(&pool, owner, &publish(answered)).await, "only held mail is decided");
    for sql in [
        format!("UPDATE email_replies SET status = 'answered' WHERE id = '{held}'"),
        format!("UPDATE email_replies SET body = 'changed' WHERE id = '{held}'"),
        format!(
            "INSERT INTO email_replies (campaign_id, message_key, status) VALUES ('{campaign}', 'm3@example.com', 'answered')"
        ),
        format!("DELETE FROM email_replies WHERE id = '{held}'"),
    ] {
        assert!(!allowed(&pool, owner, &sql).await, "{sql}");
    }
}
