//! The authorization matrix: every server function, for every kind of visitor. A server
//! function missing from TABLE fails `every_server_function_is_in_the_matrix`.
use std::collections::BTreeSet;

use http::StatusCode;
use leptos::server_fn::ServerFn;
use mystoryflow::api::{self, account, books, campaigns, photos, questions, stories};
use mystoryflow::model::Role;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{add_members, family, visitors};
use crate::helpers::{Reply, TestApp};

#[derive(Clone, Copy, Debug)]
enum Needs {
    Nothing,
    Login,
    Campaign(Role),
    /// The signed-in person's own row (an order): 401 signed out, 404 for anyone else.
    Yours,
    /// Staff only (the matrix's outsider is staff): 404 for everyone else, signed out too.
    Staff,
}

const TABLE: &[(&str, Needs)] = &[
    ("/api/current_user", Needs::Nothing),
    ("/api/signup", Needs::Nothing),
    ("/api/login", Needs::Nothing),
    // Anyone holding an emailed link (http::a_sign_up_answers_the_same_for_new_and_existing_addresses).
    ("/api/confirm_email", Needs::Nothing),
    // Anyone: asking for a reset or sign-in link, and using one (accounts::a_forgotten_password_…).
    ("/api/email_me_a_link", Needs::Nothing),
    ("/api/reset_password", Needs::Nothing),
    ("/api/sign_in_with_link", Needs::Nothing),
    ("/api/logout", Needs::Nothing),
    ("/api/flash", Needs::Nothing),
    ("/api/account", Needs::Login),
    ("/api/resend_confirmation", Needs::Login),
    ("/api/save_name", Needs::Login),
    ("/api/change_password", Needs::Login),
    ("/api/change_email", Needs::Login),
    // A person's own export (exports::an_export_holds_exactly_…: nobody else sees or downloads it).
    ("/api/data_export", Needs::Login),
    ("/api/export_my_data", Needs::Login),
    // Leaving (deletion::a_deleted_account_…): one's own account only.
    ("/api/deletion_preview", Needs::Login),
    ("/api/delete_my_account", Needs::Login),
    // Anyone holding the link sent to the new address (signup::an_email_change_…).
    ("/api/confirm_email_change", Needs::Nothing),
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
    ("/api/set_time_zone", Needs::Login),
    ("/api/remove_avatar", Needs::Login),
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
    ("/api/questions", Needs::Campaign(Role::Viewer)),
    // Changing the queue needs can_manage_questions: owners have it, contributors only when
    // granted (questions::only_members_allowed_to_manage_questions_change_the_queue).
    ("/api/add_prompt", Needs::Campaign(Role::Owner)),
    ("/api/ask_about_photo", Needs::Campaign(Role::Owner)),
    ("/api/write_question", Needs::Campaign(Role::Owner)),
    ("/api/move_question", Needs::Campaign(Role::Owner)),
    ("/api/skip_question", Needs::Campaign(Role::Owner)),
    ("/api/remove_question", Needs::Campaign(Role::Owner)),
    ("/api/storyteller_link", Needs::Campaign(Role::Owner)),
    ("/api/replace_storyteller_link", Needs::Campaign(Role::Owner)),
    ("/api/send_question_now", Needs::Campaign(Role::Owner)),
    ("/api/save_question_schedule", Needs::Campaign(Role::Owner)),
    // Emailed replies held for the family (replies::…): those who manage the questions decide.
    ("/api/publish_emailed_reply", Needs::Campaign(Role::Owner)),
    ("/api/discard_emailed_reply", Needs::Campaign(Role::Owner)),
    // The storyteller's link is the credential, for anyone holding it (no account); any
    // other token is 404 (storyteller::a_replaced_link_says_whom_to_ask_and_opens_nothing).
    ("/api/open_storyteller_link", Needs::Nothing),
    ("/api/answer_in_writing", Needs::Nothing),
    ("/api/skip_my_question", Needs::Nothing),
    ("/api/listening", Needs::Nothing),
    ("/api/unsubscribe", Needs::Nothing),
    // Ordering printed books (orders::…): designers order; an order is its orderer's; staff fulfil.
    ("/api/order_page", Needs::Campaign(Role::Owner)),
    ("/api/place_order", Needs::Campaign(Role::Owner)),
    ("/api/my_orders", Needs::Login),
    ("/api/order", Needs::Yours),
    ("/api/cancel_order", Needs::Yours),
    ("/api/admin_orders", Needs::Staff),
    ("/api/admin_order", Needs::Staff),
    ("/api/advance_order", Needs::Staff),
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

/// A fresh question waiting in `campaign`'s queue, at its end.
async fn queued_question(pool: &PgPool, campaign: Uuid) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO campaign_questions (campaign_id, question, position)
         SELECT $1, 'Matrix question?', coalesce(max(position), 0) + 1 FROM campaign_questions WHERE campaign_id = $1
         RETURNING id",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A reply to a sent question, held as if from a stranger, its message in storage (fresh
/// each time: deciding one uses it up).
async fn held_reply(app: &TestApp, pool: &PgPool, campaign: Uuid) -> Uuid {
    let question = queued_question(pool, campaign).await;
    sqlx::query("UPDATE campaign_questions SET status = 'sent', sent_at = now() WHERE id = $1")
        .bind(question)
        .execute(pool)
        .await
        .unwrap();
    let key = app.state.signer.reply_key(question);
    let raw = format!(
        "From: Someone <someone@example.net>\r\nTo: replies+{key}@example.org\r\nSubject: Re: Matrix question?\r\n\
         Message-ID: <{question}@example.net>\r\nContent-Type: text/plain\r\n\r\nAn answer.\r\n"
    );
    let raw_key = mystoryflow::server::keys::held_reply(campaign, question);
    app.state.storage.put_bytes(&raw_key, raw.into_bytes()).await.unwrap();
    sqlx::query_scalar(
        "INSERT INTO email_replies (campaign_id, question_id, message_key, sender, status, body, raw_key)
         VALUES ($1, $2, $2::text || '@example.net', 'someone@example.net', 'held', 'An answer.', $3) RETURNING id",
    )
    .bind(campaign)
    .bind(question)
    .bind(raw_key)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A pending order of the owner's (fresh each time: cancelling or advancing one is harmless).
async fn owners_order(pool: &PgPool, campaign: Uuid) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO book_orders (user_id, campaign_id, quantity, shipping_address, order_number, status, contact_email)
         SELECT user_id, id, 1, '{\"country\": \"US\"}', 'MSF-' || substr(md5(random()::text), 1, 9), 'pending', 'owner@example.com'
         FROM campaigns WHERE id = $1 RETURNING id",
    )
    .bind(campaign)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn order_form() -> mystoryflow::model::order::OrderForm {
    mystoryflow::model::order::OrderForm {
        binding: "paperback".into(),
        interior: "bw".into(),
        paper: "standard".into(),
        finish: "matte".into(),
        quantity: "1".into(),
        shipping: "MAIL".into(),
        name: "Ann Example".into(),
        line1: "1 Mill Lane".into(),
        line2: String::new(),
        city: "Springfield".into(),
        state: "IL".into(),
        postal_code: "62701".into(),
        country: "US".into(),
        phone: "+1 555 123 4567".into(),
    }
}

/// What the matrix's calls address: the campaign, the contributor's story and photo.
struct World {
    campaign: Uuid,
    story: Uuid,
    photo: Uuid,
}

/// Calls the function at `path` as `cookie`'s visitor, with arguments that pass validation,
/// so only authorization decides. Functions that destroy or change a row get a fresh one
/// each time; none changes what the other calls need.
async fn call(app: &TestApp, pool: &PgPool, w: &World, path: &str, actor: &str, cookie: Option<&str>) -> Reply {
    let (c, s, p) = (w.campaign, w.story, w.photo);
    match path {
        "/api/account" => at(app, path, account::Account {}, cookie).await,
        "/api/resend_confirmation" => at(app, path, account::ResendConfirmation {}, cookie).await,
        "/api/save_name" => at(app, path, account::SaveName { name: "Same Name".into() }, cookie).await,
        // A wrong current password: refused (422) once signed in, 401 before.
        "/api/change_password" => {
            let args = account::ChangePassword {
                current_password: "not the password".into(),
                new_password: "a new long password".into(),
            };
            at(app, path, args, cookie).await
        }
        "/api/change_email" => {
            let args =
                account::ChangeEmail { email: "moved@example.com".into(), current_password: "not the password".into() };
            at(app, path, args, cookie).await
        }
        "/api/data_export" => at(app, path, account::DataExport {}, cookie).await,
        "/api/export_my_data" => at(app, path, account::ExportMyData {}, cookie).await,
        "/api/deletion_preview" => at(app, path, account::DeletionPreview {}, cookie).await,
        // A wrong password: refused (422) once signed in, 401 before.
        "/api/delete_my_account" => {
            at(app, path, account::DeleteMyAccount { current_password: "not the password".into() }, cookie).await
        }
        "/api/dashboard" => at(app, path, campaigns::Dashboard { status: String::new() }, cookie).await,
        "/api/create_campaign" => {
            let args = campaigns::CreateCampaign {
                title: "Mine".into(),
                description: String::new(),
                storyteller_name: String::new(),
                storyteller_email: String::new(),
                relationship_type: String::new(),
                goal_stories: "5".into(),
            };
            at(app, path, args, cookie).await
        }
        "/api/campaign" => at(app, path, campaigns::Campaign { id: c }, cookie).await,
        "/api/update_campaign" => {
            let args = campaigns::UpdateCampaign {
                id: c,
                title: "Renamed".into(),
                description: String::new(),
                storyteller_name: String::new(),
                storyteller_email: String::new(),
                relationship_type: String::new(),
                goal_stories: "10".into(),
            };
            at(app, path, args, cookie).await
        }
        "/api/set_campaign_status" => {
            at(app, path, campaigns::SetCampaignStatus { id: c, status: "active".into() }, cookie).await
        }
        "/api/delete_campaign" => {
            at(app, path, campaigns::DeleteCampaign { id: c, confirm_title: "not the title".into() }, cookie).await
        }
        "/api/stories" => at(app, path, stories::Stories { campaign_id: c }, cookie).await,
        "/api/story" => at(app, path, stories::Story { campaign_id: c, story_id: s }, cookie).await,
        "/api/transcription_progress" => {
            at(app, path, stories::TranscriptionProgress { campaign_id: c, story_id: s }, cookie).await
        }
        "/api/create_story" => {
            let args = stories::CreateStory {
                campaign_id: c,
                title: "New one".into(),
                category: String::new(),
                custom_category: String::new(),
            };
            at(app, path, args, cookie).await
        }
        "/api/save_story" => {
            let args = stories::SaveStory {
                campaign_id: c,
                story_id: s,
                version: 1,
                title: "Their story".into(),
                content: "Some words".into(),
                category: String::new(),
                custom_category: String::new(),
                overwrite: true,
            };
            at(app, path, args, cookie).await
        }
        "/api/set_story_status" => {
            let args = stories::SetStoryStatus { campaign_id: c, story_id: s, status: "completed".into() };
            at(app, path, args, cookie).await
        }
        "/api/delete_story" => {
            let fresh = contributors_story(pool, c).await;
            at(app, path, stories::DeleteStory { campaign_id: c, story_id: fresh }, cookie).await
        }
        "/api/move_story" => {
            at(app, path, stories::MoveStory { campaign_id: c, story_id: s, position: 0 }, cookie).await
        }
        "/api/save_transcription" => {
            let args = stories::SaveTranscription { campaign_id: c, story_id: s, transcription: "Spoken words".into() };
            at(app, path, args, cookie).await
        }
        "/api/use_transcription" => {
            let args = stories::UseTranscription { campaign_id: c, story_id: s, mode: "append".into() };
            at(app, path, args, cookie).await
        }
        "/api/remove_audio" => at(app, path, stories::RemoveAudio { campaign_id: c, story_id: s }, cookie).await,
        "/api/search_stories" => {
            let args = stories::SearchStories {
                q: "words".into(),
                campaign: None,
                category: String::new(),
                status: String::new(),
                after: String::new(),
            };
            at(app, path, args, cookie).await
        }
        "/api/photos" => at(app, path, photos::Photos { campaign_id: c }, cookie).await,
        "/api/set_photo_caption" => {
            let args = photos::SetPhotoCaption {
                campaign_id: c,
                photo_id: p,
                caption: "At the lake".into(),
                back: String::new(),
            };
            at(app, path, args, cookie).await
        }
        "/api/link_photo" => {
            at(app, path, photos::LinkPhoto { campaign_id: c, story_id: s, photo_id: p, attach: true }, cookie).await
        }
        "/api/delete_photo" => {
            let fresh = contributors_photo(pool, c).await;
            at(app, path, photos::DeletePhoto { campaign_id: c, photo_id: fresh }, cookie).await
        }
        "/api/family" => at(app, path, api::family::CampaignFamily { campaign_id: c }, cookie).await,
        "/api/leave_campaign" => at(app, path, api::family::LeaveCampaign { campaign_id: c }, cookie).await,
        "/api/invite_member" => {
            let args = api::family::InviteMember {
                campaign_id: c,
                email: "matrix@example.com".into(),
                name: String::new(),
                relationship: String::new(),
                role: "viewer".into(),
            };
            at(app, path, args, cookie).await
        }
        "/api/resend_invitation" => {
            let member = pending_member(pool, c).await;
            at(app, path, api::family::ResendInvitation { campaign_id: c, member_id: member }, cookie).await
        }
        "/api/transfer_ownership" => {
            let member = pending_member(pool, c).await;
            at(app, path, api::family::TransferOwnership { campaign_id: c, member_id: member }, cookie).await
        }
        "/api/revoke_invitation" => {
            let member = pending_member(pool, c).await;
            at(app, path, api::family::RevokeInvitation { campaign_id: c, member_id: member }, cookie).await
        }
        "/api/set_member_role" => {
            let member = extra_member(pool).await;
            let args = api::family::SetMemberRole { campaign_id: c, member_id: member, role: "contributor".into() };
            at(app, path, args, cookie).await
        }
        "/api/set_member_permissions" => {
            let member = extra_member(pool).await;
            let args = api::family::SetMemberPermissions {
                campaign_id: c,
                member_id: member,
                can_invite: false,
                can_edit_others_stories: false,
                can_design_books: false,
                can_manage_questions: false,
            };
            at(app, path, args, cookie).await
        }
        "/api/set_member_active" => {
            let member = extra_member(pool).await;
            let args = api::family::SetMemberActive { campaign_id: c, member_id: member, active: true };
            at(app, path, args, cookie).await
        }
        "/api/accept_invitation" => {
            at(app, path, api::family::AcceptInvitation { token: "matrix-token".into() }, cookie).await
        }
        "/api/conversation" => {
            at(app, path, api::family::StoryConversation { campaign_id: c, story_id: s }, cookie).await
        }
        "/api/add_comment" => {
            let args = api::family::AddComment { campaign_id: c, story_id: s, body: "Lovely".into() };
            at(app, path, args, cookie).await
        }
        "/api/edit_comment" => {
            let comment = comment_by(pool, s, actor).await;
            let args =
                api::family::EditComment { campaign_id: c, story_id: s, comment_id: comment, body: "Edited".into() };
            at(app, path, args, cookie).await
        }
        "/api/delete_comment" => {
            let comment = comment_by(pool, s, actor).await;
            let args = api::family::DeleteComment { campaign_id: c, story_id: s, comment_id: comment };
            at(app, path, args, cookie).await
        }
        "/api/set_heart" => {
            at(app, path, api::family::SetHeart { campaign_id: c, story_id: s, on: true }, cookie).await
        }
        "/api/set_story_emails" => at(app, path, account::SetStoryEmails { choice: "every".into() }, cookie).await,
        "/api/remove_avatar" => at(app, path, account::RemoveAvatar {}, cookie).await,
        "/api/set_time_zone" => at(app, path, account::SetTimeZone { time_zone: "Europe/Rome".into() }, cookie).await,
        "/api/books" => at(app, path, books::Books { campaign_id: c }, cookie).await,
        "/api/questions" => {
            let args = questions::Questions { campaign_id: c, topic: String::new(), search: String::new() };
            at(app, path, args, cookie).await
        }
        "/api/add_prompt" => {
            let prompt_id = sqlx::query_scalar("SELECT id FROM prompts LIMIT 1").fetch_one(pool).await.unwrap();
            at(app, path, questions::AddPrompt { campaign_id: c, prompt_id }, cookie).await
        }
        "/api/ask_about_photo" => at(app, path, questions::AskAboutPhoto { campaign_id: c, photo_id: p }, cookie).await,
        "/api/write_question" => {
            let args = questions::WriteQuestion {
                campaign_id: c,
                question: "What did you sing?".into(),
                category: String::new(),
            };
            at(app, path, args, cookie).await
        }
        "/api/move_question" => {
            let question_id = queued_question(pool, c).await;
            queued_question(pool, c).await;
            at(app, path, questions::MoveQuestion { campaign_id: c, question_id, up: false }, cookie).await
        }
        "/api/skip_question" => {
            let question_id = queued_question(pool, c).await;
            at(app, path, questions::SkipQuestion { campaign_id: c, question_id }, cookie).await
        }
        "/api/remove_question" => {
            let question_id = queued_question(pool, c).await;
            at(app, path, questions::RemoveQuestion { campaign_id: c, question_id }, cookie).await
        }
        "/api/storyteller_link" => at(app, path, questions::StorytellerLink { campaign_id: c }, cookie).await,
        "/api/publish_emailed_reply" => {
            let reply_id = held_reply(app, pool, c).await;
            at(app, path, questions::PublishEmailedReply { campaign_id: c, reply_id }, cookie).await
        }
        "/api/discard_emailed_reply" => {
            let reply_id = held_reply(app, pool, c).await;
            at(app, path, questions::DiscardEmailedReply { campaign_id: c, reply_id }, cookie).await
        }
        "/api/replace_storyteller_link" => {
            at(app, path, questions::ReplaceStorytellerLink { campaign_id: c }, cookie).await
        }
        "/api/save_question_schedule" => {
            let args = questions::SaveQuestionSchedule {
                campaign_id: c,
                weekday: "7".into(),
                time: "09:00".into(),
                time_zone: "Europe/London".into(),
                reminder_days: "4".into(),
                paused: None,
            };
            at(app, path, args, cookie).await
        }
        "/api/send_question_now" => {
            queued_question(pool, c).await;
            at(app, path, questions::SendQuestionNow { campaign_id: c }, cookie).await
        }
        "/api/create_book" => {
            at(app, path, books::CreateBook { campaign_id: c, title: "Dad's book".into() }, cookie).await
        }
        "/api/my_orders" => at(app, path, api::orders::MyOrders {}, cookie).await,
        "/api/order" => {
            let order_id = owners_order(pool, c).await;
            at(app, path, api::orders::Order { order_id }, cookie).await
        }
        "/api/cancel_order" => {
            let order_id = owners_order(pool, c).await;
            at(app, path, api::orders::CancelOrder { order_id }, cookie).await
        }
        "/api/admin_orders" => at(app, path, api::orders::AdminOrders { status: "pending".into() }, cookie).await,
        "/api/admin_order" => {
            let order_id = owners_order(pool, c).await;
            at(app, path, api::orders::AdminOrder { order_id }, cookie).await
        }
        "/api/advance_order" => {
            let order_id = owners_order(pool, c).await;
            let args = api::orders::AdvanceOrder {
                order_id,
                to: "processing".into(),
                tracking_number: String::new(),
                carrier: String::new(),
                tracking_url: String::new(),
                estimated_delivery: String::new(),
                note: String::new(),
            };
            at(app, path, args, cookie).await
        }
        book_fn => {
            // A book's functions each get a fresh book holding the story (so deleting one is harmless).
            let b = book_with(pool, c, s).await;
            match book_fn {
                "/api/book" => at(app, path, books::Book { campaign_id: c, book_id: b }, cookie).await,
                "/api/book_progress" => at(app, path, books::BookProgress { campaign_id: c, book_id: b }, cookie).await,
                "/api/save_book_details" => {
                    let args = books::SaveBookDetails {
                        campaign_id: c,
                        book_id: b,
                        title: "Dad".into(),
                        subtitle: String::new(),
                        author_line: String::new(),
                        dedication: String::new(),
                        trim: "6x9".into(),
                        paper: "standard".into(),
                        binding: "paperback".into(),
                        template: "modern".into(),
                    };
                    at(app, path, args, cookie).await
                }
                "/api/save_book_cover" => {
                    let args = books::SaveBookCover {
                        campaign_id: c,
                        book_id: b,
                        layout: "text_only".into(),
                        colour: "#336699".into(),
                        photo_id: String::new(),
                        back_text: String::new(),
                    };
                    at(app, path, args, cookie).await
                }
                "/api/include_book_story" => {
                    let args = books::IncludeBookStory { campaign_id: c, book_id: b, story_id: s, include: true };
                    at(app, path, args, cookie).await
                }
                "/api/move_book_story" => {
                    let args = books::MoveBookStory { campaign_id: c, book_id: b, story_id: s, position: 0 };
                    at(app, path, args, cookie).await
                }
                "/api/set_book_photo" => {
                    let args = books::SetBookPhoto {
                        campaign_id: c,
                        book_id: b,
                        story_id: s,
                        photo_id: p,
                        shown: false,
                        caption: String::new(),
                    };
                    at(app, path, args, cookie).await
                }
                "/api/set_book_qr" => {
                    let args = books::SetBookQr { campaign_id: c, book_id: b, story_id: s, on: false };
                    at(app, path, args, cookie).await
                }
                "/api/revoke_share_link" => {
                    at(app, path, books::RevokeShareLink { campaign_id: c, book_id: b, story_id: s }, cookie).await
                }
                "/api/render_book" => at(app, path, books::RenderBook { campaign_id: c, book_id: b }, cookie).await,
                "/api/mark_book_ready" => {
                    let args = books::MarkBookReady { campaign_id: c, book_id: b, proofread: true };
                    at(app, path, args, cookie).await
                }
                "/api/delete_book" => at(app, path, books::DeleteBook { campaign_id: c, book_id: b }, cookie).await,
                "/api/copy_book" => at(app, path, books::CopyBook { campaign_id: c, book_id: b }, cookie).await,
                "/api/order_page" => {
                    let args =
                        api::orders::OrderPage { campaign_id: c, book_id: b, form: Some(order_form()), again: None };
                    at(app, path, args, cookie).await
                }
                // The matrix's book is a draft: the owner is told so (409), not refused.
                "/api/place_order" => {
                    let f = order_form();
                    let args = api::orders::PlaceOrder {
                        campaign_id: c,
                        book_id: b,
                        idempotency_key: Uuid::new_v4(),
                        binding: f.binding,
                        interior: f.interior,
                        paper: f.paper,
                        finish: f.finish,
                        quantity: f.quantity,
                        shipping: f.shipping,
                        name: f.name,
                        line1: f.line1,
                        line2: f.line2,
                        city: f.city,
                        state: f.state,
                        postal_code: f.postal_code,
                        country: f.country,
                        phone: f.phone,
                    };
                    at(app, path, args, cookie).await
                }
                _ => panic!("the matrix has no arguments for {path}: add them to authz::call"),
            }
        }
    }
}

/// Calls `args` as the matrix row for `path`: the arguments must be that function's.
async fn at<F>(app: &TestApp, path: &str, args: F, cookie: Option<&str>) -> Reply
where
    F: ServerFn + serde::Serialize,
{
    assert_eq!(F::PATH, path, "the matrix row for {path} calls another function");
    app.call(args, cookie).await
}

#[test]
fn every_server_function_is_in_the_matrix() {
    let registered: BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    let listed: BTreeSet<String> = TABLE.iter().map(|(path, _)| (*path).to_owned()).collect();
    assert_eq!(registered, listed, "add new server functions to the authorization TABLE");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn every_campaign_function_admits_exactly_the_right_members(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    // The owner's "Dad's Life Stories" with a contributor, a viewer, `invited` and `inactive`.
    let f = family(&app, &pool).await;
    let cookies = visitors(&app, &pool, &f).await;
    let campaign = f.campaign;

    let story = contributors_story(&pool, campaign).await;
    // An extra active member, and an invitation whose token is "matrix-token".
    add_members(&pool, campaign, &[("extra", "contributor", "active")]).await;
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
    let world = World { campaign, story, photo };
    sqlx::query("UPDATE users SET is_staff = true WHERE email = 'outsider@example.com'").execute(&pool).await.unwrap();
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
                (Needs::Staff, _, _) if *actor == "outsider" => None,
                (Needs::Staff, _, _) => Some(StatusCode::NOT_FOUND),
                (_, None, _) => Some(StatusCode::UNAUTHORIZED),
                (Needs::Yours, Some(_), _) if *actor == "owner" => None,
                (Needs::Yours, Some(_), _) => Some(StatusCode::NOT_FOUND),
                (Needs::Login, Some(_), _) => None,
                (Needs::Campaign(_), Some(_), None) => Some(StatusCode::NOT_FOUND),
                (Needs::Campaign(min), Some(_), Some(role)) if role < *min => Some(StatusCode::FORBIDDEN),
                (Needs::Campaign(_), Some(_), Some(_)) => None,
            };
            if matches!(needs, Needs::Nothing) {
                continue; // public: covered by the authentication tests
            }
            let reply = call(&app, &pool, &world, path, actor, cookie.as_deref()).await;
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
