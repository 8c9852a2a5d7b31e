//! One campaign: its progress, recent stories, members, and what the viewer may do.
use leptos::prelude::*;
use leptos_meta::Title;

use super::campaign_in_address;
use super::list::CampaignProgress;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::model::{count, CampaignOverview, CampaignStatus, Role};
use crate::urls;

#[component]
pub fn CampaignPage() -> impl IntoView {
    let details = campaign_in_address();
    view! {
        <RequireUser children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(c) => view! { <Overview campaign=c/> }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Overview(campaign: CampaignOverview) -> impl IntoView {
    let card = campaign.card.clone();
    let archived = card.status == CampaignStatus::Archived;
    let owner = card.role == Role::Owner;
    view! {
        <Title text=format!("{} · MyStoryFlow", card.title)/>
        <div class="page-heading">
            <div>
                <h1>{card.title.clone()}</h1>
                {card.storyteller_name.clone().map(|n| view! { <p class="lead">"The stories of " {n}</p> })}
            </div>
            {(owner && !archived).then(|| view! {
                <a class="button" href=urls::campaign_edit(card.id)>"Edit campaign"</a>
            })}
        </div>
        {archived.then(|| view! {
            <p class="notice">
                "This campaign is archived and read-only."
                {owner.then(|| view! {
                    " " <a href=urls::campaign_edit(card.id)>"Restore it"</a>
                })}
            </p>
        })}
        {campaign.description.clone().map(|d| view! { <p class="description">{d}</p> })}
        <section class="card" aria-labelledby="progress-heading">
            <h2 id="progress-heading">"Progress"</h2>
            <CampaignProgress card=card.clone() started_at=campaign.started_at/>
        </section>
        <div class="columns">
            <section class="card" aria-labelledby="stories-heading">
                <h2 id="stories-heading">"Recent stories"</h2>
                <p class="button-row">
                    <a class="button button--quiet" href=urls::stories(card.id)>"All stories"</a>
                    <a class="button button--quiet" href=urls::photos(card.id)>"Photos"</a>
                    <a class="button button--quiet" href=urls::books(card.id)>"Books"</a>
                    <a class="button button--quiet" href=urls::questions(card.id)>"Questions"</a>
                    {(card.role >= Role::Contributor && !archived).then(|| view! {
                        <a class="button" href=urls::new_story(card.id)>"Write a new story"</a>
                    })}
                </p>
                {if campaign.recent_stories.is_empty() {
                    view! { <p class="muted">"No stories yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {campaign.recent_stories.into_iter().map(|s| view! {
                                <li><a href=urls::story(card.id, s.id)>{s.title}</a> <span class="muted">{format!(" · {}", count(s.word_count, "word", "words"))}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="card" aria-labelledby="members-heading">
                <h2 id="members-heading">"Family members"</h2>
                <p><a class="button button--quiet" href=urls::family(card.id)>
                    {if owner { "Invite and manage family" } else { "See the family" }}</a></p>
                <ul class="plain-list">
                    {campaign.members.into_iter().map(|m| view! {
                        <li>{m.name} <span class="muted">{format!(" · {}", m.role.label())}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        </div>
    }
}
