//! Logging in and signing up. Both forms work with JavaScript off: a failed post comes
//! back to the page with its message (see `server::request::respond_to_form`).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::auth::take_flash;
use crate::app::Session;
use crate::components::forms::{form_error, Field, FormAlert};

const PASSWORD_HINT: &str = "At least 10 characters. A short sentence is easy to remember.";

fn next_param() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("next").unwrap_or_default())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let next = next_param();
    let flash = Resource::new(|| (), |_| take_flash("login".into()));
    view! {
        <Title text="Log in · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Log in"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    let email = flash.as_ref().and_then(|f| f.value("email"));
                    let error = form_error(session.login.value(), flash.as_ref());
                    let pending = session.login.pending();
                    view! {
                        <ActionForm action=session.login>
                            <FormAlert error/>
                            <Field id="login-email" name="email" label="Email" kind="email"
                                autocomplete="email" value=email.unwrap_or_default() error/>
                            <Field id="login-password" name="password" label="Password"
                                kind="password" autocomplete="current-password" error/>
                            <input type="hidden" name="next" value=next/>
                            <button type="submit" class="button" disabled=pending>
                                {move || if pending.get() { "Logging in…" } else { "Log in" }}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            <p class="aside">"New here? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let next = next_param();
    let flash = Resource::new(|| (), |_| take_flash("signup".into()));
    view! {
        <Title text="Sign up · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Create your account"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    let email = flash.as_ref().and_then(|f| f.value("email"));
                    let name = flash.as_ref().and_then(|f| f.value("name"));
                    let error = form_error(session.signup.value(), flash.as_ref());
                    let pending = session.signup.pending();
                    view! {
                        <ActionForm action=session.signup>
                            <FormAlert error/>
                            <Field id="signup-name" name="name" label="Your name"
                                autocomplete="name" value=name.unwrap_or_default() error/>
                            <Field id="signup-email" name="email" label="Email" kind="email"
                                autocomplete="email" value=email.unwrap_or_default() error/>
                            <Field id="signup-password" name="password" label="Password"
                                kind="password" autocomplete="new-password" hint=PASSWORD_HINT
                                error/>
                            <input type="hidden" name="next" value=next/>
                            <button type="submit" class="button" disabled=pending>
                                {move || if pending.get() { "Creating your account…" } else { "Sign up" }}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            <p class="aside">"Already have an account? " <a href="/login">"Log in"</a></p>
        </section>
    }
}

/// Where a sign-up lands when the server sends email: the same page whether the address was
/// new or had an account (the email says which).
#[component]
pub fn SignupSentPage() -> impl IntoView {
    view! {
        <Title text="Check your email · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Check your email"</h1>
            <p>"We sent a message to the address you gave. Open the link in it to finish signing up."</p>
            <p>"It can take a few minutes to arrive; if it doesn't, look in your spam or junk folder."</p>
            <p class="aside">"Already have an account? " <a href="/login">"Log in"</a></p>
        </section>
    }
}

/// The emailed link: one button (not the link itself) finishes the sign-up, so a mail
/// program that opens links to check them cannot use it up.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let flash = Resource::new(|| (), |_| take_flash("confirm_email".into()));
    view! {
        <Title text="Finish signing up · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Finish signing up"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    let error = form_error(session.confirm.value(), flash.as_ref());
                    let pending = session.confirm.pending();
                    view! {
                        <p>"Welcome to MyStoryFlow. One click and your account is ready."</p>
                        <ActionForm action=session.confirm>
                            <FormAlert error/>
                            <input type="hidden" name="token" value=token/>
                            <button type="submit" class="button" disabled=pending>
                                {move || if pending.get() { "Finishing…" } else { "Finish signing up" }}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}
