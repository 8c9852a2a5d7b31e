//! The signed-in person's account.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account::account;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Your account · MyStoryFlow"/>
        <RequireUser children=|_| view! { <AccountDetails/> }/>
    }
}

#[component]
fn AccountDetails() -> impl IntoView {
    let details = Resource::new(|| (), |_| account());
    view! {
        <h1>"Your account"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(account) => view! {
                        <dl class="card details">
                            <dt>"Name"</dt>
                            <dd>{account.name}</dd>
                            <dt>"Email"</dt>
                            <dd>{account.email}</dd>
                            <dt>"Member since"</dt>
                            <dd>{account.created_at.format("%-d %B %Y").to_string()}</dd>
                        </dl>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
