//! The unsubscribe link from a story email: one button, no login.
use crate::api::account::Unsubscribe;
use crate::components::forms::PostForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::take_flash;

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let done = move || query.read().get("done").is_some();
    let flash = Resource::new(|| (), |_| take_flash("unsubscribe".into()));
    view! {
        <Title text="Story emails · MyStoryFlow"/>
        <section class="card narrow">
            <Suspense fallback=|| ()>
                {move || {
                    let done = done();
                    Suspend::new(async move {
                    let failed = flash.await.ok().flatten().is_some();
                    if done {
                        view! {
                            <h1>"You won't get story emails any more"</h1>
                            <p>"You can turn them back on from your account page at any time."</p>
                        }.into_any()
                    } else {
                        view! {
                            <h1>"Stop story emails?"</h1>
                            {failed.then(|| view! {
                                <p class="form-alert" role="alert">"This unsubscribe link isn't valid. Please use the link from a recent email, or change your choice on your account page."</p>
                            })}
                            <p>"You'll no longer be emailed when the family finishes a story. Invitations and important account messages still arrive."</p>
                            <PostForm action={ServerAction::<Unsubscribe>::new()}>
                                <input type="hidden" name="token" value=token()/>
                                <button type="submit" class="button">"Stop story emails"</button>
                            </PostForm>
                        }.into_any()
                    }
                })}}
            </Suspense>
        </section>
    }
}
