//! Logging in and signing up. Both forms work with JavaScript off: a failed post comes
//! back to the page with its message (see `server::request::respond_to_form`).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::auth::{take_flash, EmailMeALink};
use crate::app::Session;
use crate::components::forms::{form_error, Field, FormAlert};
use crate::urls;

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
            <p class="aside"><a href=urls::FORGOT_PASSWORD>"Forgot your password?"</a></p>
            <p class="aside"><a href=urls::EMAIL_SIGN_IN>"Email me a link to sign in instead"</a></p>
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
            <p>"If you just made a new account, you can also log in now and start your family's stories. Inviting \
                family waits until you have opened the link."</p>
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

/// One email field that asks for a link: `purpose` is `reset_password` or `sign_in`.
#[component]
fn AskForLink(purpose: &'static str, button: &'static str) -> impl IntoView {
    let action = ServerAction::<EmailMeALink>::new();
    let flash = Resource::new(|| (), |_| take_flash("email_me_a_link".into()));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                let email = flash.as_ref().and_then(|f| f.value("email"));
                let error = form_error(action.value(), flash.as_ref());
                let pending = action.pending();
                view! {
                    <ActionForm action>
                        <FormAlert error/>
                        <input type="hidden" name="purpose" value=purpose/>
                        <Field id="recovery-email" name="email" label="Your email" kind="email"
                            autocomplete="email" value=email.unwrap_or_default() error/>
                        <button type="submit" class="button" disabled=pending>{button}</button>
                    </ActionForm>
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! {
        <Title text="Forgot your password? · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Forgot your password?"</h1>
            <p>"Type the email you use for MyStoryFlow. We'll send a link to choose a new password."</p>
            <AskForLink purpose="reset_password" button="Email me a link"/>
            <p class="aside"><a href="/login">"Back to logging in"</a></p>
        </section>
    }
}

/// Signing in without a password (WCAG 2.2's accessible authentication): a link by email.
#[component]
pub fn EmailSignInPage() -> impl IntoView {
    view! {
        <Title text="Sign in with an email link · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Sign in with an email link"</h1>
            <p>"No password to remember: we'll email you a link that signs you in once."</p>
            <AskForLink purpose="sign_in" button="Email me a sign-in link"/>
            <p class="aside"><a href="/login">"Log in with your password"</a></p>
        </section>
    }
}

/// The same page whether or not the address has an account.
#[component]
pub fn RecoverySentPage() -> impl IntoView {
    view! {
        <Title text="Check your email · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Check your email"</h1>
            <p>"If an account uses that address, a link is on its way. It works once, for an hour."</p>
            <p>"It can take a few minutes to arrive; if it doesn't, look in your spam or junk folder."</p>
            <p class="aside"><a href="/login">"Back to logging in"</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let flash = Resource::new(|| (), |_| take_flash("reset_password".into()));
    view! {
        <Title text="Choose a new password · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    let error = form_error(session.reset.value(), flash.as_ref());
                    let pending = session.reset.pending();
                    view! {
                        <ActionForm action=session.reset>
                            <FormAlert error/>
                            <input type="hidden" name="token" value=token/>
                            <Field id="reset-password" name="password" label="New password"
                                kind="password" autocomplete="new-password" hint=PASSWORD_HINT error/>
                            <button type="submit" class="button" disabled=pending>
                                {move || if pending.get() { "Saving…" } else { "Save and sign in" }}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            <p class="muted">"Every other place you're signed in is signed out."</p>
            <p class="aside"><a href=urls::FORGOT_PASSWORD>"Ask for a new link"</a></p>
        </section>
    }
}

/// The emailed sign-in link: one button, so a mail program that opens links to check them
/// cannot use it up.
#[component]
pub fn SignInLinkPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let flash = Resource::new(|| (), |_| take_flash("sign_in_with_link".into()));
    view! {
        <Title text="Sign in · MyStoryFlow"/>
        <section class="card narrow">
            <h1>"Sign in to MyStoryFlow"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    let error = form_error(session.link.value(), flash.as_ref());
                    let pending = session.link.pending();
                    view! {
                        <ActionForm action=session.link>
                            <FormAlert error/>
                            <input type="hidden" name="token" value=token/>
                            <button type="submit" class="button" disabled=pending>
                                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            <p class="aside"><a href=urls::EMAIL_SIGN_IN>"Ask for a new link"</a></p>
        </section>
    }
}
