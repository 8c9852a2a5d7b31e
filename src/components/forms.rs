//! Form helpers: one labelled field with its hint and error, and the form-level alert.
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Flash;

/// The error a form shows: its last JavaScript submission's, else that of the plain
/// (JavaScript-off) post that returned to this page.
pub fn form_error(
    value: impl Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static,
    flash: Option<&Flash>,
) -> Signal<Option<AppError>> {
    let flashed = flash.map(|f| f.error.clone());
    Signal::derive(move || match value.get() {
        Some(Err(err)) => Some(err),
        Some(Ok(_)) => None,
        None => flashed.clone(),
    })
}

/// A labelled input whose error is announced and tied to it (aria-describedby).
#[component]
pub fn Field(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field(name));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field--invalid=move || message().is_some()>
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                aria-invalid=move || message().map(|_| "true")
                aria-describedby=described_by
            />
            {move || message().map(|m| view! { <p class="field__error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// The message of a failed form, read out as soon as it appears.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <div role="alert" class="form-alert-region">
            {move || error.get().map(|e| view! { <p class="form-alert">{e.to_string()}</p> })}
        </div>
    }
}
