//! Form helpers: one labelled field with its hint and error, and the form-level alert.
use leptos::prelude::*;

use leptos::server_fn::{
    codec::{Json, PostUrl},
    Http, ServerFn,
};

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

/// A hidden field that carries an id with a plain (JavaScript-off) form post.
pub fn hidden(name: &'static str, value: impl ToString) -> impl IntoView {
    view! { <input type="hidden" name=name value=value.to_string()/> }
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
    /// A `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
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
                list=list
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

/// Counts the changes this browser has made through [`PostForm`]s. Every page's data
/// resource reads it, so a page loads its data again after an action instead of the
/// browser reloading the whole page.
#[derive(Clone, Copy)]
pub struct Changes(RwSignal<u64>);

impl Changes {
    pub fn provide() {
        provide_context(Changes(RwSignal::new(0)));
    }

    /// The number of changes so far; read it in a resource's source to refetch after one.
    pub fn track() -> u64 {
        use_context::<Changes>().map(|c| c.0.get()).unwrap_or_default()
    }

    /// Something changed on the server (a render or transcription finished): pages load
    /// their data again.
    pub fn notify() {
        if let Some(changes) = use_context::<Changes>() {
            changes.0.update(|n| *n += 1);
        }
    }
}

/// A form posting to a server function: a plain `<form method="post">` without
/// JavaScript (the server answers with a redirect back), and with it a call that leaves
/// the page in place, shows the error beside the form, and refreshes the page's data.
///
/// The refresh is counted when the call returns, even if a refresh started by an earlier
/// form has replaced this one meanwhile (quick successive clicks lose nothing).
///
/// `data-confirm` on the form is asked by public/enhance.js in the capture phase, so a
/// refused confirmation stops the submission before this form sees it.
#[component]
pub fn PostForm<S>(
    action: ServerAction<S>,
    /// False when the form shows its error itself (with its fields, see [`form_error`]).
    #[prop(default = true)]
    alert: bool,
    children: Children,
) -> impl IntoView
where
    S: serde::de::DeserializeOwned
        + ServerFn<Protocol = Http<PostUrl, Json>, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Output: Send + Sync + 'static,
{
    let value = action.value();
    let changes = use_context::<Changes>();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        let input = match <S as leptos::form::FromFormData>::from_event(&ev) {
            Ok(input) => input,
            Err(err) => {
                leptos::logging::error!("form fields do not match the server function: {err:?}");
                value.try_set(Some(Err(AppError::BadRequest)));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            let result = input.run_on_client().await;
            if result.is_ok() {
                if let Some(changes) = changes {
                    changes.0.update(|n| *n += 1);
                }
            }
            value.try_set(Some(result));
        });
    };
    let error = Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(err)) => Some(err.clone()),
            _ => None,
        })
    });
    view! {
        <form method="post" action=S::url() on:submit=on_submit>
            {alert.then(|| view! { <FormAlert error/> })}
            {children()}
        </form>
    }
}
