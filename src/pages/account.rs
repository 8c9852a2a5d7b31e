//! The signed-in person's account.
use crate::api::account::SetStoryEmails;
use crate::components::forms::Changes;
use crate::components::forms::PostForm;
use leptos::prelude::*;

use crate::model::account::human_bytes;
use leptos_meta::Title;

use crate::api::account::account;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};

#[component]
pub fn AccountPage() -> impl IntoView {
    // Created here, outside the suspended part, so re-rendering it never fetches again.
    let details = Resource::new(Changes::track, |_| account());
    view! {
        <Title text="Your account · MyStoryFlow"/>
        <RequireUser children=move |_| view! { <AccountDetails details/> }/>
    }
}

#[component]
fn AccountDetails(details: Resource<Result<crate::model::Account, crate::error::AppError>>) -> impl IntoView {
    view! {
        <h1>"Your account"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
                            <dt>"Storage"</dt>
                            <dd>{format!(
                                "{} of {} used by recordings and photos in the campaigns you own",
                                human_bytes(account.storage.used_bytes),
                                human_bytes(account.storage.limit_bytes),
                            )}</dd>
                        </dl>
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
