//! The signed-in person's account.
use crate::api::account::{ChangeEmail, ChangePassword, SaveName, SetStoryEmails};
use crate::api::auth::take_flash;
use crate::components::forms::{form_error, Changes, Field, FormAlert, PostForm};
use crate::model::Flash;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::model::account::human_bytes;
use leptos_meta::Title;

use crate::api::account::account;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};

#[component]
pub fn AccountPage() -> impl IntoView {
    // Created here, outside the suspended part, so re-rendering it never fetches again.
    let details = Resource::new(Changes::track, |_| account());
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <Title text="Your account · MyStoryFlow"/>
        <RequireUser children=move |_| view! { <AccountDetails details flash/> }/>
    }
}

type FlashResource = Resource<Result<Option<Flash>, crate::error::AppError>>;

#[component]
fn AccountDetails(
    details: Resource<Result<crate::model::Account, crate::error::AppError>>,
    flash: FlashResource,
) -> impl IntoView {
    let query = use_query_map();
    let changed = move || query.read().get("changed").unwrap_or_default();
    view! {
        <h1>"Your account"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                let for_form = |form: &str| flash.clone().filter(|f| f.form == form);
                match details.await {
                    Ok(account) => view! {
                        <dl class="card details">
                            <dt>"Name"</dt>
                            <dd>{account.name.clone()}</dd>
                            <dt>"Email"</dt>
                            <dd>{account.email.clone()}</dd>
                            <dt>"Member since"</dt>
                            <dd>{account.created_at.format("%-d %B %Y").to_string()}</dd>
                            <dt>"Storage"</dt>
                            <dd>{format!(
                                "{} of {} used by recordings and photos in the campaigns you own",
                                human_bytes(account.storage.used_bytes),
                                human_bytes(account.storage.limit_bytes),
                            )}</dd>
                        </dl>
                        <NameForm name=account.name.clone() flash=for_form("save_name")/>
                        <EmailForm email=account.email.clone() flash=for_form("change_email") changed=changed()/>
                        <PasswordForm flash=for_form("change_password") changed=changed()/>
                        <section class="card" aria-labelledby="emails-heading">
                            <h2 id="emails-heading">"Story emails"</h2>
                            <PostForm action={ServerAction::<SetStoryEmails>::new()}>
                                <fieldset>
                                    <legend>"When someone finishes a story, send me…"</legend>
                                    {crate::model::StoryEmails::ALL.into_iter().map(|choice| {
                                        let id = format!("story-emails-{}", choice.as_str());
                                        view! {
                                            <div class="radio">
                                                <input type="radio" id=id.clone() name="choice" value=choice.as_str()
                                                    checked=choice == account.story_emails/>
                                                <label for=id>{choice.label()}</label>
                                            </div>
                                        }
                                    }).collect_view()}
                                </fieldset>
                                <button type="submit" class="button button--quiet">"Save email choice"</button>
                            </PostForm>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NameForm(name: String, flash: Option<Flash>) -> impl IntoView {
    let action = ServerAction::<SaveName>::new();
    let error = form_error(action.value(), flash.as_ref());
    let typed = flash.as_ref().and_then(|f| f.value("name")).unwrap_or(name);
    view! {
        <section class="card" id="profile" aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Your name"</h2>
            <PostForm action alert=false>
                <FormAlert error/>
                <Field id="profile-name" name="name" label="Name the family sees" autocomplete="name" value=typed error/>
                <button type="submit" class="button button--quiet">"Save name"</button>
            </PostForm>
        </section>
    }
}

#[component]
fn EmailForm(email: String, flash: Option<Flash>, changed: String) -> impl IntoView {
    let action = ServerAction::<ChangeEmail>::new();
    let error = form_error(action.value(), flash.as_ref());
    let typed = flash.as_ref().and_then(|f| f.value("email")).unwrap_or_default();
    let sent = move || changed == "email-sent" || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" id="email" aria-labelledby="email-heading">
            <h2 id="email-heading">"Your email"</h2>
            <p>"You sign in with " <strong>{email}</strong> "."</p>
            <div role="status">
                {move || sent().then(|| view! {
                    <p class="notice">"We sent a link to the new address. Your email changes when you open it."</p>
                })}
            </div>
            <PostForm action alert=false>
                <FormAlert error/>
                <Field id="new-email" name="email" label="New email" kind="email" autocomplete="email" value=typed error/>
                <Field id="email-password" name="current_password" label="Your current password" kind="password"
                    autocomplete="current-password" error/>
                <button type="submit" class="button button--quiet">"Change email"</button>
            </PostForm>
        </section>
    }
}

#[component]
fn PasswordForm(flash: Option<Flash>, changed: String) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = form_error(action.value(), flash.as_ref());
    let done = move || changed == "password" || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" id="password" aria-labelledby="password-heading">
            <h2 id="password-heading">"Your password"</h2>
            <div role="status">
                {move || done().then(|| view! {
                    <p class="notice">"Your password was changed. Everywhere else you were signed in is signed out."</p>
                })}
            </div>
            <PostForm action alert=false>
                <FormAlert error/>
                <Field id="current-password" name="current_password" label="Current password" kind="password"
                    autocomplete="current-password" error/>
                <Field id="new-password" name="new_password" label="New password" kind="password"
                    autocomplete="new-password" hint="At least 10 characters. A short sentence is easy to remember." error/>
                <button type="submit" class="button button--quiet">"Change password"</button>
            </PostForm>
            <p class="aside"><a href=crate::urls::EMAIL_SIGN_IN>"Prefer no password? Sign in with an email link"</a></p>
        </section>
    }
}

/// The link sent to a new address: one button, so a mail program that opens links to check
/// them cannot use it up.
#[component]
pub fn ConfirmEmailChangePage() -> impl IntoView {
    use crate::api::account::ConfirmEmailChange;
    let params = leptos_router::hooks::use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let action = ServerAction::<ConfirmEmailChange>::new();
    let flash = Resource::new(|| (), |_| take_flash("confirm_email_change".into()));
    view! {
        <Title text="Confirm your new email · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Confirm your new email"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    let error = form_error(action.value(), flash.as_ref());
                    view! {
                        <ActionForm action>
                            <FormAlert error/>
                            <input type="hidden" name="token" value=token/>
                            <button type="submit" class="button">"Use this address"</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}
