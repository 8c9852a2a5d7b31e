//! The list of a person's campaigns, with a status filter and a friendly empty state.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use chrono::{DateTime, Utc};

use super::date;
use crate::api::campaigns::dashboard;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::model::{CampaignCard, CampaignStatus};
use crate::urls;

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let list = CampaignListData::new();
    view! {
        <Title text="Campaigns · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <div class="page-heading">
                <h1>"Campaigns"</h1>
                <a class="button" href="/campaigns/new">"Start a new campaign"</a>
            </div>
            <CampaignList list/>
        }/>
    }
}

/// The list's data. Pages create it once, outside any Suspense, so that re-rendering the
/// page's suspended parts never fetches again.
#[derive(Clone, Copy)]
pub struct CampaignListData {
    status: Memo<String>,
    cards: Resource<Result<Vec<CampaignCard>, crate::error::AppError>>,
}

impl CampaignListData {
    pub fn new() -> Self {
        let query = use_query_map();
        let status = Memo::new(move |_| query.read().get("status").unwrap_or_default());
        CampaignListData { status, cards: Resource::new(move || status.get(), dashboard) }
    }
}

impl Default for CampaignListData {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn CampaignList(list: CampaignListData) -> impl IntoView {
    let CampaignListData { status, cards } = list;
    view! {
        <nav aria-label="Filter campaigns by status" class="filters">
            <ul>
                <FilterLink value="" label="All" current=status/>
                {CampaignStatus::ALL
                    .into_iter()
                    .map(|s| view! { <FilterLink value=s.as_str() label=s.label() current=status/> })
                    .collect_view()}
            </ul>
        </nav>
        <Suspense fallback=|| view! { <p class="loading">"Loading your campaigns…"</p> }>
            {move || Suspend::new(async move {
                match cards.await {
                    Ok(cards) if cards.is_empty() && status.get_untracked().is_empty() => {
                        view! { <FirstCampaign/> }.into_any()
                    }
                    Ok(cards) if cards.is_empty() => view! {
                        <p class="card empty-state">"No campaigns with this status."</p>
                    }.into_any(),
                    Ok(cards) => view! {
                        <ul class="campaign-grid">
                            {cards.into_iter().map(|card| view! { <li><CampaignCardView card/></li> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FilterLink(value: &'static str, label: &'static str, current: Memo<String>) -> impl IntoView {
    let href = if value.is_empty() { "?".to_owned() } else { format!("?status={value}") };
    view! {
        <li>
            <a href=href aria-current=move || (current.get() == value).then_some("page")>{label}</a>
        </li>
    }
}

#[component]
fn FirstCampaign() -> impl IntoView {
    view! {
        <section class="card empty-state">
            <h2>"Start your first campaign"</h2>
            <p>
                "A campaign gathers the stories of one person — “Dad's Life Stories”, say. \
                 You'll name it, say whose stories they are, and set a goal. Then invite the \
                 family to read along and add their own memories."
            </p>
            <p><a class="button" href="/campaigns/new">"Start a campaign"</a></p>
        </section>
    }
}

#[component]
pub fn CampaignCardView(card: CampaignCard) -> impl IntoView {
    view! {
        <article class="card campaign-card">
            <h2><a href=urls::campaign(card.id)>{card.title.clone()}</a></h2>
            {card.storyteller_name.clone().map(|n| view! { <p class="muted">"The stories of " {n}</p> })}
            <CampaignProgress card started_at=None/>
        </article>
    }
}

/// A campaign's facts (role, status, stories of goal, words, latest story) and progress bar.
#[component]
pub fn CampaignProgress(card: CampaignCard, started_at: Option<DateTime<Utc>>) -> impl IntoView {
    let pct = card.completion();
    let progress_label = format!("{}: {pct}% of the story goal", card.title);
    view! {
        <dl class="facts">
            <div><dt>"Your role"</dt><dd>{card.role.label()}</dd></div>
            <div><dt>"Status"</dt><dd>{card.status.label()}</dd></div>
            <div><dt>"Stories"</dt><dd>{format!("{} of {}", card.story_count, card.goal_stories)}</dd></div>
            <div><dt>"Words"</dt><dd>{card.total_words}</dd></div>
            <div>
                <dt>"Latest story"</dt>
                <dd>{card.latest_story_date.map(date).unwrap_or_else(|| "None yet".into())}</dd>
            </div>
            {started_at.map(|d| view! { <div><dt>"Started"</dt><dd>{date(d)}</dd></div> })}
        </dl>
        <progress max="100" value=pct aria-label=progress_label>{format!("{pct}%")}</progress>
    }
}
