//! Starting a story: its title and category; the editor opens next.
use leptos::prelude::*;
use leptos_meta::Title;

use super::ids_in_address;
use crate::api::auth::take_flash;
use crate::api::stories::CreateStory;
use crate::components::forms::{form_error, Field, FormAlert};
use crate::components::require_user::RequireUser;
use crate::error::AppError;

#[component]
pub fn NewStoryPage() -> impl IntoView {
    let ids = ids_in_address();
    let create = ServerAction::<CreateStory>::new();
    let flash = Resource::new(|| (), |_| take_flash("create_story".into()));
    view! {
        <Title text="Write a new story · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <section class="card narrow">
                <h1>"Write a new story"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let flash = flash.await.ok().flatten();
                        let error = form_error(create.value(), flash.as_ref());
                        let value = |name: &str| flash.as_ref().and_then(|f| f.value(name)).unwrap_or_default();
                        let (title, category, custom) = (value("title"), value("category"), value("custom_category"));
                        let campaign_id = ids.get().map(|(c, _)| c.to_string()).unwrap_or_default();
                        view! {
                            <ActionForm action=create>
                                <FormAlert error/>
                                <input type="hidden" name="campaign_id" value=campaign_id/>
                                <Field id="story-title" name="title" label="Title"
                                    hint="For example, “The summer on Grandpa's farm”." value=title error/>
                                <CategoryFields category custom error=error/>
                                <button type="submit" class="button">"Start writing"</button>
                            </ActionForm>
                        }
                    })}
                </Suspense>
            </section>
        }/>
    }
}

/// The category list, with a field for the family's own category.
#[component]
pub fn CategoryFields(
    category: String,
    custom: String,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(optional)] on_change: Option<Callback<(String, String)>>,
) -> impl IntoView {
    use crate::model::story::CATEGORIES;
    let known = category.is_empty() || CATEGORIES.iter().any(|(v, _)| *v == category);
    let (selected, custom) = if known { (category, custom) } else { ("custom".to_owned(), category) };
    let select_value = RwSignal::new(selected.clone());
    let custom_value = RwSignal::new(custom.clone());
    let notify = move || {
        if let Some(cb) = on_change {
            cb.run((select_value.get_untracked(), custom_value.get_untracked()));
        }
    };
    view! {
        <div class="field">
            <label for="story-category">"Category"</label>
            <select id="story-category" name="category"
                on:change=move |ev| { select_value.set(event_target_value(&ev)); notify(); }>
                <option value="" selected=selected.is_empty()>"No category"</option>
                {CATEGORIES.into_iter().map(|(v, label)| view! {
                    <option value=v selected=selected == v>{label}</option>
                }).collect_view()}
                <option value="custom" selected=selected == "custom">"Something else (type it below)"</option>
            </select>
            {move || error.get().and_then(|e| e.field("category")).map(|m| view! { <p class="field__error">{m}</p> })}
        </div>
        <div class="field">
            <label for="story-custom-category">"Your own category (optional)"</label>
            <input id="story-custom-category" name="custom_category" type="text" maxlength="60" value=custom
                on:input=move |ev| { custom_value.set(event_target_value(&ev)); notify(); }/>
            {move || error.get().and_then(|e| e.field("custom_category")).map(|m| view! { <p class="field__error">{m}</p> })}
        </div>
    }
}
