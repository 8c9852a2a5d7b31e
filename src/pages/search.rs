//! Searching every story the user can see. A GET form: the address holds the query, so
//! results can be bookmarked and the page works without JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::{campaigns::dashboard, stories::search_stories};
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::model::story::{category_label, StoryStatus, CATEGORIES};
use crate::urls;

#[derive(Clone, PartialEq)]
struct Query {
    q: String,
    campaign: String,
    category: String,
    status: String,
    after: String,
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.read();
        let get = |k: &str| p.get(k).unwrap_or_default();
        Query {
            q: get("q"),
            campaign: get("campaign"),
            category: get("category"),
            status: get("status"),
            after: get("after"),
        }
    });
    let results = Resource::new(
        move || query.get(),
        |q| async move {
            let campaign = Uuid::parse_str(&q.campaign).ok();
            search_stories(q.q, campaign, q.category, q.status, q.after).await
        },
    );
    let campaigns = Resource::new(|| (), |_| dashboard(String::new()));
    view! {
        <Title text="Search stories · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <h1>"Search stories"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let q = query.get_untracked();
                    let campaigns = campaigns.await.unwrap_or_default();
                    view! {
                        <form method="get" action="/search" class="card search-form" role="search">
                            <div class="field">
                                <label for="search-q">"Words to find"</label>
                                <p class="field__hint" id="search-q-hint">
                                    "Searches titles, story text and transcriptions. Use \"quotes\" for a phrase and -word to leave a word out."
                                </p>
                                <input id="search-q" type="search" name="q" value=q.q.clone() aria-describedby="search-q-hint"/>
                            </div>
                            <div class="search-form__filters">
                                <div class="field">
                                    <label for="search-campaign">"Campaign"</label>
                                    <select id="search-campaign" name="campaign">
                                        <option value="">"All campaigns"</option>
                                        {campaigns.into_iter().map(|c| {
                                            let id = c.id.to_string();
                                            let selected = id == q.campaign;
                                            view! { <option value=id selected=selected>{c.title}</option> }
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="search-category">"Category"</label>
                                    <select id="search-category" name="category">
                                        <option value="">"Any category"</option>
                                        {CATEGORIES.into_iter().map(|(v, label)| view! {
                                            <option value=v selected=q.category == v>{label}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="search-status">"Status"</label>
                                    <select id="search-status" name="status">
                                        <option value="">"Any status"</option>
                                        {StoryStatus::ALL.into_iter().map(|s| view! {
                                            <option value=s.as_str() selected=q.status == s.as_str()>{s.label()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                            </div>
                            <button type="submit" class="button">"Search"</button>
                        </form>
                        {match results.await {
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                            Ok(page) if q.q.trim().is_empty() => { let _ = page; ().into_any() }
                            Ok(page) if page.hits.is_empty() => view! {
                                <section class="card empty-state" aria-live="polite"><p>"No stories match. Try fewer or different words."</p></section>
                            }.into_any(),
                            Ok(page) => {
                                let next = page.next.map(|after| {
                                    let mut url = form_urlencoded::Serializer::new(String::new());
                                    url.append_pair("q", &q.q).append_pair("campaign", &q.campaign)
                                        .append_pair("category", &q.category).append_pair("status", &q.status)
                                        .append_pair("after", &after);
                                    format!("/search?{}", url.finish())
                                });
                                view! {
                                    <section aria-labelledby="results-heading">
                                        <h2 id="results-heading">"Results"</h2>
                                        <ol class="search-results">
                                            {page.hits.into_iter().map(|h| view! {
                                                <li class="card">
                                                    <h3><a href=urls::story(h.campaign_id, h.id)>{h.title}</a></h3>
                                                    <p class="muted">{[Some(h.campaign_title), h.category.as_deref().map(category_label), Some(h.status.label().to_owned())]
                                                        .into_iter().flatten().collect::<Vec<_>>().join(" · ")}</p>
                                                    <p class="snippet" inner_html=h.snippet></p>
                                                </li>
                                            }).collect_view()}
                                        </ol>
                                        {next.map(|href| view! { <a class="button button--quiet" href=href>"More results"</a> })}
                                    </section>
                                }.into_any()
                            }
                        }}
                    }
                })}
            </Suspense>
        }/>
    }
}
