//! The signed-in person's account.
use crate::api::account::{ChangeEmail, ChangePassword, ResendConfirmation, SaveName, SetStoryEmails};
use crate::api::auth::take_flash;
use crate::components::forms::{form_error, Changes, Field, FormAlert, PostForm};
use crate::model::{DataExport, ExportStatus, Flash};
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
    let export = Resource::new(Changes::track, |_| crate::api::account::data_export());
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <Title text="Your account · MyStoryFlow"/>
        <RequireUser children=move |_| view! { <AccountDetails details export flash/> }/>
    }
}

type FlashResource = Resource<Result<Option<Flash>, crate::error::AppError>>;

#[component]
fn AccountDetails(
    details: Resource<Result<crate::model::Account, crate::error::AppError>>,
    export: Resource<Result<Option<DataExport>, crate::error::AppError>>,
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
                let export = export.await.ok().flatten();
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
                        {(!account.email_confirmed).then(|| view! {
                            <ConfirmSection email=account.email.clone() flash=for_form("resend_confirmation")
                                changed=changed()/>
                        })}
                        <NameForm name=account.name.clone() flash=for_form("save_name")/>
                        <PictureForm url=account.avatar_url.clone() flash=for_form("avatar")/>
                        <EmailForm email=account.email.clone() flash=for_form("change_email") changed=changed()/>
                        <PasswordForm flash=for_form("change_password") changed=changed()/>
                        <TimeZoneForm zone=account.preferences.time_zone.clone() flash=for_form("set_time_zone")
                            changed=changed()/>
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
                                                    checked=choice == account.preferences.story_emails/>
                                                <label for=id>{choice.label()}</label>
                                            </div>
                                        }
                                    }).collect_view()}
                                </fieldset>
                                <button type="submit" class="button button--quiet">"Save email choice"</button>
                            </PostForm>
                        </section>
                        <section class="card" aria-labelledby="orders-link-heading">
                            <h2 id="orders-link-heading">"Printed books"</h2>
                            <p><a href=crate::urls::ORDERS>"Your orders"</a></p>
                        </section>
                        <DataSection export flash=for_form("export_my_data")/>
                        <section class="card" aria-labelledby="leave-heading">
                            <h2 id="leave-heading">"Leaving"</h2>
                            <p>"You can delete your account. The next page lists exactly what happens first."</p>
                            <a href=crate::urls::DELETE_ACCOUNT>"Delete your account"</a>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Until the sign-up link is used: what waits for it, and the link again.
#[component]
fn ConfirmSection(email: String, flash: Option<Flash>, changed: String) -> impl IntoView {
    let action = ServerAction::<ResendConfirmation>::new();
    let error = form_error(action.value(), flash.as_ref());
    let sent = move || changed == "confirmation-sent" || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" id="confirm" aria-labelledby="confirm-heading">
            <h2 id="confirm-heading">"Confirm your email address"</h2>
            <p>"We emailed a link to " <strong>{email}</strong> " when you signed up. Until you open it, you can \
                write stories in your own campaigns, but you can't invite anyone and we don't send you order emails."</p>
            <div role="status">
                {move || sent().then(|| view! {
                    <p class="notice">"We sent a new link. It can take a few minutes to arrive; look in your spam \
                        or junk folder too."</p>
                })}
            </div>
            <PostForm action alert=false>
                <FormAlert error/>
                <button type="submit" class="button button--quiet">"Email me the link again"</button>
            </PostForm>
        </section>
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

/// A plain multipart form (the same with JavaScript on or off): the upload route redirects
/// back here, with the error in the session when the file is refused.
#[component]
fn PictureForm(url: Option<String>, flash: Option<Flash>) -> impl IntoView {
    use crate::api::account::RemoveAvatar;
    let remove = ServerAction::<RemoveAvatar>::new();
    let error = flash.map(|f| f.error.to_string());
    let has_picture = url.is_some();
    view! {
        <section class="card" id="picture" aria-labelledby="picture-heading">
            <h2 id="picture-heading">"Your picture"</h2>
            {match url {
                Some(url) => view! { <img class="avatar avatar--large" src=url alt="Your picture" width="96" height="96"/> }.into_any(),
                None => view! { <p>"Add a photo of yourself, so the family sees who wrote each story and comment."</p> }.into_any(),
            }}
            {error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
            <form method="post" action=crate::urls::AVATAR_UPLOAD enctype="multipart/form-data">
                <div class="field">
                    <label for="avatar-file">"Choose a photo"</label>
                    <p class="field__hint" id="avatar-file-hint">"JPEG, PNG or WebP, up to 30 MB. It is shown small."</p>
                    <input id="avatar-file" type="file" name="avatar" accept="image/jpeg,image/png,image/webp" required
                        aria-describedby="avatar-file-hint"/>
                </div>
                <button type="submit" class="button button--quiet">"Upload picture"</button>
            </form>
            {has_picture.then(|| view! {
                <PostForm action=remove>
                    <button type="submit" class="button button--quiet">"Remove picture"</button>
                </PostForm>
            })}
        </section>
    }
}

#[component]
fn TimeZoneForm(zone: Option<String>, flash: Option<Flash>, changed: String) -> impl IntoView {
    use crate::api::account::SetTimeZone;
    use crate::model::question::COMMON_TIME_ZONES;
    let action = ServerAction::<SetTimeZone>::new();
    let error = form_error(action.value(), flash.as_ref());
    let typed = flash.as_ref().and_then(|f| f.value("time_zone")).or(zone).unwrap_or_default();
    let done = move || changed == "time-zone" || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" id="time-zone" aria-labelledby="time-zone-heading">
            <h2 id="time-zone-heading">"Your time zone"</h2>
            <div role="status">
                {move || done().then(|| view! { <p class="notice">"Your time zone was saved."</p> })}
            </div>
            <PostForm action alert=false>
                <FormAlert error/>
                <Field id="account-time-zone" name="time_zone" label="Time zone" value=typed list="account-time-zones"
                    hint="Where you live, such as Europe/London or America/New_York. New weekly questions start in it." error/>
                <datalist id="account-time-zones">
                    {COMMON_TIME_ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
                </datalist>
                <button type="submit" class="button button--quiet">"Save time zone"</button>
            </PostForm>
        </section>
    }
}

/// "Download my data": one button makes the ZIP in the background; the page follows it and
/// offers the file for seven days.
#[component]
fn DataSection(export: Option<DataExport>, flash: Option<Flash>) -> impl IntoView {
    use crate::api::account::ExportMyData;
    let action = ServerAction::<ExportMyData>::new();
    let error = form_error(action.value(), flash.as_ref());
    let busy = export.as_ref().is_some_and(DataExport::in_progress);
    let status = export.map(|export| match export.status {
        ExportStatus::Queued | ExportStatus::Running => view! { <ExportProgress export/> }.into_any(),
        ExportStatus::Ready => {
            let size = human_bytes(export.size_bytes.unwrap_or_default());
            let until = export.expires_at.map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default();
            view! {
                <p class="notice">
                    <a href=crate::urls::data_export(export.id) download>{format!("Download your data (ZIP, {size})")}</a>
                    {format!(" — kept until {until}.")}
                </p>
            }
            .into_any()
        }
        ExportStatus::Failed => view! {
            <p class="notice notice--error">"Your last download could not be made. Please try again."</p>
        }
        .into_any(),
        ExportStatus::Expired => view! {
            <p>"Your last download was removed after seven days. You can make a new one."</p>
        }
        .into_any(),
    });
    view! {
        <section class="card" id="your-data" aria-labelledby="data-heading">
            <h2 id="data-heading">"Your data"</h2>
            <p>"Take a copy of everything with you: every story you wrote or that is in your campaigns, its \
                recordings and photos, comments, and the latest PDF of each book, with a page that shows it all \
                in any browser, even offline. We email you when it is ready."</p>
            {status}
            {(!busy).then(|| view! {
                <PostForm action alert=false>
                    <FormAlert error/>
                    <button type="submit" class="button button--quiet">"Prepare a download of my data"</button>
                </PostForm>
            })}
        </section>
    }
}

/// Follows an export being made; without JavaScript, a button reloads the page.
#[component]
fn ExportProgress(export: DataExport) -> impl IntoView {
    let state = RwSignal::new(export);
    let following = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        following.set(true);
        crate::components::follow::follow(
            std::time::Duration::from_secs(1),
            || async { crate::api::account::data_export().await.ok().flatten() },
            move |now: DataExport| {
                let finished = !now.in_progress();
                let _ = state.try_set(now);
                if finished {
                    Changes::notify();
                }
                finished
            },
        );
    });
    let percent = move || state.with(|e| e.progress);
    view! {
        <div role="progressbar" aria-label="Download being prepared" aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=move || percent().to_string() class="progress">
            <div class="progress__bar" style=move || format!("width: {}%", percent())></div>
        </div>
        <p aria-live="polite">{move || format!("{} · {}%", state.with(|e| e.status.label()), percent())}</p>
        <form method="get" action="/account#your-data" hidden=move || following.get()>
            <button type="submit" class="button button--small button--quiet">"Update progress"</button>
        </form>
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
