//! Wraps member pages: shows them to a signed-in user, sends anyone else to log in.
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

use crate::app::{login_url, Session};
use crate::components::error_panel::ErrorPanel;
use crate::model::CurrentUser;

#[component]
pub fn RequireUser<F, V>(children: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = expect_context::<Session>();
    let location = use_location();
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) => {
                            let search = location.search.get_untracked();
                            let here = match search.as_str() {
                                "" => location.pathname.get_untracked(),
                                s if s.starts_with('?') => format!("{}{s}", location.pathname.get_untracked()),
                                s => format!("{}?{s}", location.pathname.get_untracked()),
                            };
                            view! { <Redirect path=login_url(&here)/> }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
