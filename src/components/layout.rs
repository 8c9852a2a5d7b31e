//! The header with the main navigation, and the footer.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::Session;

#[component]
pub fn SiteHeader() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"❦"</span>
                    "MyStoryFlow"
                </a>
                <nav aria-label="Main">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match session.user.await {
                                Ok(Some(user)) => view! { <MemberNav name=user.name/> }.into_any(),
                                _ => view! { <GuestNav/> }.into_any(),
                            }
                        })}
                    </Transition>
                </nav>
            </div>
        </header>
    }
}

#[component]
fn MemberNav(name: String) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <ul class="nav-list">
            <li><A href="/dashboard">"Dashboard"</A></li>
            <li><A href="/campaigns">"Campaigns"</A></li>
            <li><A href="/search">"Search"</A></li>
            <li><A href="/books">"Books"</A></li>
            <li><A href="/account">"Account"</A></li>
            <li class="nav-list__session">
                <span class="nav-list__name">{name}</span>
                <ActionForm action=session.logout>
                    <button type="submit" class="button button--quiet">"Log out"</button>
                </ActionForm>
            </li>
        </ul>
    }
}

#[component]
fn GuestNav() -> impl IntoView {
    view! {
        <ul class="nav-list">
            <li><A href="/login">"Log in"</A></li>
            <li><a class="button button--small" href="/signup">"Sign up"</a></li>
        </ul>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>"MyStoryFlow — every family has stories worth keeping."</p>
        </footer>
    }
}
