//! Leaving: the page that says exactly what deleting the account does and asks for the
//! password, and the page a person lands on, signed out, with the date and the way back.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account::deletion_preview;
use crate::api::auth::take_flash;
use crate::app::Session;
use crate::components::forms::{form_error, Field, FormAlert};
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::model::account::{DeletionPreview, DELETION_GRACE_DAYS};
use crate::model::count;
use crate::urls;

#[component]
pub fn DeleteAccountPage() -> impl IntoView {
    let preview = Resource::new(|| (), |_| deletion_preview());
    let flash = Resource::new(|| (), |_| take_flash("delete_my_account".into()));
    view! {
        <Title text="Delete your account · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <section class="card narrow" aria-labelledby="delete-heading">
                <h1 id="delete-heading">"Delete your account"</h1>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let flash = flash.await.ok().flatten();
                        match preview.await {
                            Ok(preview) => {
                                let by_link = preview.signed_in_by_link;
                                view! { <WhatHappens preview/> <DeleteForm flash by_link/> }.into_any()
                            }
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        }/>
    }
}

#[component]
fn WhatHappens(preview: DeletionPreview) -> impl IntoView {
    let owned = (!preview.owned.is_empty()).then(|| {
        view! {
            <h2>"Campaigns you own are deleted with everything in them"</h2>
            <p>"Every story, recording, photo, comment and book in them is deleted for the whole family. To keep \
                one for them, make someone else its owner first."</p>
            <ul>
                {preview.owned.into_iter().map(|c| view! {
                    <li>
                        <strong>{c.title.clone()}</strong>
                        {format!(": {}, {} besides you. ", count(c.stories, "story", "stories"),
                            count(c.other_members, "family member", "family members"))}
                        <a href=urls::family(c.id)>{format!("Make someone else the owner of {}", c.title)}</a>
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    let elsewhere = (!preview.elsewhere.is_empty()).then(|| {
        view! {
            <h2>"Other families keep what you gave them"</h2>
            <p>"You leave these campaigns. The stories you wrote stay with the family, shown as by a former \
                member; so do your photos and comments, without your name."</p>
            <ul>
                {preview.elsewhere.into_iter().map(|c| view! {
                    <li><strong>{c.title}</strong>{format!(": {} by you", count(c.stories, "story", "stories"))}</li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        {owned}
        {elsewhere}
        <h2>"Your account"</h2>
        <ul>
            <li>"Your name, email address, password and choices are deleted."</li>
            <li>"Printed-book orders are kept as financial records, with only the country of the address."</li>
            <li>{format!("Nothing is deleted for {DELETION_GRACE_DAYS} days. If you log in before then, your \
                account stays as it is. We email you now and if you come back.")}</li>
        </ul>
        <p><a href="/account#your-data">"Download a copy of your data first"</a></p>
    }
}

#[component]
fn DeleteForm(flash: Option<crate::model::Flash>, by_link: bool) -> impl IntoView {
    let session = expect_context::<Session>();
    let error = form_error(session.leave.value(), flash.as_ref());
    let proof = if by_link {
        view! { <p>"You signed in with the link we emailed you a moment ago, so we know it is you."</p> }.into_any()
    } else {
        view! {
            <Field id="delete-password" name="current_password" label="Your password" kind="password"
                autocomplete="current-password" hint="To be sure it is you." error/>
            <p class="aside">"Don't know your password? "
                <a href=urls::EMAIL_SIGN_IN>"Sign in with a link we email you"</a>
                {format!(", then come back to this page within {} minutes.", crate::model::account::LINK_PROOF_MINUTES)}
            </p>
        }
        .into_any()
    };
    view! {
        <ActionForm action=session.leave>
            <FormAlert error/>
            {proof}
            <button type="submit" class="button button--danger">"Delete my account"</button>
        </ActionForm>
        <p class="aside"><a href="/account">"Keep my account"</a></p>
    }
}

#[component]
pub fn AccountDeletedPage() -> impl IntoView {
    view! {
        <Title text="Your account will be deleted · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Your account will be deleted"</h1>
            <p>{format!("You are signed out everywhere. In {DELETION_GRACE_DAYS} days your account is deleted as \
                the previous page described; we sent you an email with the date.")}</p>
            <p>"Changed your mind? Log in before then and everything stays as it is."</p>
            <p><a class="button button--quiet" href="/login">"Log in to keep my account"</a></p>
        </section>
    }
}
