//! Starting a campaign, and the owner's edit page: details, status and deletion.
use leptos::prelude::*;
use leptos_meta::Title;

use super::campaign_in_address;
use crate::api::auth::take_flash;
use crate::api::campaigns::{CreateCampaign, DeleteCampaign, SetCampaignStatus, UpdateCampaign};
use crate::components::forms::{form_error, Field, FormAlert};
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::error::AppError;
use crate::model::{CampaignOverview, CampaignStatus, Flash, Relationship, Role};
use crate::urls;

/// Field values: what was typed in a returned plain post, else the campaign's, else blank.
#[derive(Clone, Default)]
struct Values {
    title: String,
    description: String,
    storyteller_name: String,
    storyteller_email: String,
    relationship_type: String,
    goal_stories: String,
}

impl Values {
    fn new_campaign() -> Self {
        Values { goal_stories: "10".into(), ..Default::default() }
    }

    fn of(c: &CampaignOverview) -> Self {
        Values {
            title: c.card.title.clone(),
            description: c.description.clone().unwrap_or_default(),
            storyteller_name: c.card.storyteller_name.clone().unwrap_or_default(),
            storyteller_email: c.storyteller_email.clone().unwrap_or_default(),
            relationship_type: c.relationship_type.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            goal_stories: c.card.goal_stories.to_string(),
        }
    }

    fn or_flash(self, flash: Option<&Flash>) -> Self {
        let Some(f) = flash else { return self };
        let get = |name: &str, default: String| f.value(name).unwrap_or(default);
        Values {
            title: get("title", self.title),
            description: get("description", self.description),
            storyteller_name: get("storyteller_name", self.storyteller_name),
            storyteller_email: get("storyteller_email", self.storyteller_email),
            relationship_type: get("relationship_type", self.relationship_type),
            goal_stories: get("goal_stories", self.goal_stories),
        }
    }
}

#[component]
fn CampaignFields(values: Values, error: Signal<Option<AppError>>) -> impl IntoView {
    let select_error = move || error.get().and_then(|e| e.field("relationship_type"));
    let description_error = move || error.get().and_then(|e| e.field("description"));
    let current_relationship = values.relationship_type.clone();
    view! {
        <Field id="campaign-title" name="title" label="Campaign title"
            hint="For example, “Dad's Life Stories”." value=values.title error/>
        <Field id="campaign-storyteller" name="storyteller_name" label="Storyteller's name"
            hint="Whose stories are these?" value=values.storyteller_name error/>
        <div class="field" class:field--invalid=move || select_error().is_some()>
            <label for="campaign-relationship">"The storyteller is your…"</label>
            <select id="campaign-relationship" name="relationship_type">
                <option value="" selected=current_relationship.is_empty()>"Choose…"</option>
                {Relationship::ALL
                    .into_iter()
                    .map(|r| view! {
                        <option value=r.as_str() selected=current_relationship == r.as_str()>{r.label()}</option>
                    })
                    .collect_view()}
            </select>
            {move || select_error().map(|m| view! { <p class="field__error">{m}</p> })}
        </div>
        <Field id="campaign-email" name="storyteller_email" label="Storyteller's email (optional)" kind="email"
            hint="Where the weekly question goes, with a link to answer by talking or writing. Leave it empty to share the link yourself or print question cards." value=values.storyteller_email error/>
        <Field id="campaign-goal" name="goal_stories" label="Goal: how many stories?" kind="number"
            value=values.goal_stories error/>
        <div class="field" class:field--invalid=move || description_error().is_some()>
            <label for="campaign-description">"Description (optional)"</label>
            <textarea id="campaign-description" name="description" rows="4">{values.description}</textarea>
            {move || description_error().map(|m| view! { <p class="field__error">{m}</p> })}
        </div>
    }
}

#[component]
pub fn NewCampaignPage() -> impl IntoView {
    let create = ServerAction::<CreateCampaign>::new();
    let flash = Resource::new(|| (), |_| take_flash("create_campaign".into()));
    view! {
        <Title text="Start a campaign · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <section class="card narrow">
                <h1>"Start a campaign"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let flash = flash.await.ok().flatten();
                        let error = form_error(create.value(), flash.as_ref());
                        let values = Values::new_campaign().or_flash(flash.as_ref());
                        view! {
                            <ActionForm action=create>
                                <FormAlert error/>
                                <CampaignFields values error/>
                                <button type="submit" class="button">"Create campaign"</button>
                            </ActionForm>
                        }
                    })}
                </Suspense>
            </section>
        }/>
    }
}

#[component]
pub fn EditCampaignPage() -> impl IntoView {
    let details = campaign_in_address();
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <Title text="Edit campaign · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match details.await {
                        Ok(c) if c.card.role != Role::Owner => {
                            view! { <ErrorPanel error=AppError::Forbidden/> }.into_any()
                        }
                        Ok(c) => view! { <EditCampaign campaign=c flash/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn EditCampaign(campaign: CampaignOverview, flash: Option<Flash>) -> impl IntoView {
    let update = ServerAction::<UpdateCampaign>::new();
    let set_status = ServerAction::<SetCampaignStatus>::new();
    let delete = ServerAction::<DeleteCampaign>::new();
    let of = |form: &str| flash.clone().filter(|f| f.form == form);
    let update_flash = of("update_campaign");
    let status_error = form_error(set_status.value(), of("set_campaign_status").as_ref());
    let delete_flash = of("delete_campaign");
    let delete_error = form_error(delete.value(), delete_flash.as_ref());
    let id = campaign.card.id;
    let status = campaign.card.status;
    let archived = status == CampaignStatus::Archived;
    let values = Values::of(&campaign).or_flash(update_flash.as_ref());
    let update_error = form_error(update.value(), update_flash.as_ref());
    let title = campaign.card.title.clone();

    let transitions: Vec<(CampaignStatus, &'static str)> = match status {
        CampaignStatus::Active => vec![
            (CampaignStatus::Paused, "Pause campaign"),
            (CampaignStatus::Completed, "Mark as completed"),
            (CampaignStatus::Archived, "Archive campaign"),
        ],
        CampaignStatus::Paused => {
            vec![(CampaignStatus::Active, "Resume campaign"), (CampaignStatus::Archived, "Archive campaign")]
        }
        CampaignStatus::Completed => {
            vec![(CampaignStatus::Active, "Reopen campaign"), (CampaignStatus::Archived, "Archive campaign")]
        }
        CampaignStatus::Archived => vec![(CampaignStatus::Active, "Restore campaign")],
    };

    view! {
        <p><a href=urls::campaign(id)>"← Back to " {title.clone()}</a></p>
        <h1>"Edit " {title.clone()}</h1>
        {if archived {
            view! {
                <p class="notice">
                    "This campaign is archived, so it is read-only. Restore it to make changes."
                </p>
            }.into_any()
        } else {
            view! {
                <section class="card narrow-left" aria-labelledby="details-heading">
                    <h2 id="details-heading">"Details"</h2>
                    <ActionForm action=update>
                        <FormAlert error=update_error/>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <CampaignFields values error=update_error/>
                        <button type="submit" class="button">"Save changes"</button>
                    </ActionForm>
                </section>
            }.into_any()
        }}
        <section class="card narrow-left" aria-labelledby="status-heading">
            <h2 id="status-heading">"Status: " {status.label()}</h2>
            <FormAlert error=status_error/>
            <div class="actions">
                {transitions
                    .into_iter()
                    .map(|(to, label)| view! {
                        <ActionForm action=set_status>
                            <input type="hidden" name="id" value=id.to_string()/>
                            <input type="hidden" name="status" value=to.as_str()/>
                            <button type="submit" class="button button--quiet">{label}</button>
                        </ActionForm>
                    })
                    .collect_view()}
            </div>
        </section>
        <section class="card narrow-left danger-zone" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete this campaign"</h2>
            {if campaign.has_orders {
                view! {
                    <p>
                        "Books have been ordered from this campaign. Orders are kept as records, \
                         so it can't be deleted — archive it instead to make it read-only."
                    </p>
                }.into_any()
            } else {
                view! {
                    <p>"This removes every story, member and book in it. It cannot be undone."</p>
                    <ActionForm action=delete>
                        <FormAlert error=delete_error/>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <Field id="confirm-title" name="confirm_title"
                            label="Type the campaign's title to confirm"
                            hint=format!("The title is: {title}")
                            error=delete_error/>
                        <button type="submit" class="button button--danger">"Delete this campaign forever"</button>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}
