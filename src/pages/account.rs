//! The signed-in person's account.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account::account;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};

#[component]
pub fn AccountPage() -> impl IntoView {
    // Created here, outside the suspended part, so re-rendering it never fetches again.
    let details = Resource::new(|| (), |_| account());
    view! {
        <Title text="Your account · MyStoryFlow"/>
        <RequireUser children=move |_| view! { <AccountDetails details/> }/>
    }
}

#[component]
fn AccountDetails(details: Resource<Result<crate::model::Account, crate::error::AppError>>) -> impl IntoView {
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
