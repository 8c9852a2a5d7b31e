//! The HTML shell, the application component and its route table.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::api::account::DeleteMyAccount;
use crate::api::auth::{current_user, ConfirmEmail, Login, Logout, ResetPassword, SignInWithLink, Signup};
use crate::components::layout::{SiteFooter, SiteHeader};
use crate::error::AppError;
use crate::model::CurrentUser;
use crate::pages::{
    account::{AccountPage, ConfirmEmailChangePage},
    account_deletion::{AccountDeletedPage, DeleteAccountPage},
    auth::{
        ConfirmEmailPage, EmailSignInPage, ForgotPasswordPage, LoginPage, RecoverySentPage, ResetPasswordPage,
        SignInLinkPage, SignupPage, SignupSentPage,
    },
    books::{BookDesignerPage, BookPreviewPage, BooksPage, CampaignBooksPage, ListenPage},
    campaigns::{
        form::{EditCampaignPage, NewCampaignPage},
        list::CampaignsPage,
        show::CampaignPage,
    },
    dashboard::DashboardPage,
    family::{FamilyPage, InvitationPage},
    home::HomePage,
    not_found::NotFound,
    orders::{AdminOrderPage, AdminOrdersPage, OrderBookPage, OrderPage, OrdersPage},
    questions::QuestionsPageView,
    search::SearchPage,
    stories::{editor::EditStoryPage, gallery::GalleryPage, list::StoriesPage, new::NewStoryPage, show::StoryPage},
    storyteller::StorytellerPageView,
    unsubscribe::UnsubscribePage,
};

/// Pages only members may open; logged-out visitors are sent to /login and back.
pub const MEMBER_PAGES: &[&str] = &["/dashboard", "/campaigns", "/books", "/account", "/search", "/orders"];

pub fn is_member_page(path: &str) -> bool {
    MEMBER_PAGES.iter().any(|page| path == *page || path.strip_prefix(page).is_some_and(|rest| rest.starts_with('/')))
}

/// Pages served without the browser bundle, whole as plain HTML (with public/enhance.js):
/// the storyteller's own page (recording, drafts), often opened on an old phone on a poor
/// connection, where 900 KiB of wasm would compete with the recording's upload; and the
/// listening page a printed book's QR code opens (one audio player).
pub fn hydrates(path: &str) -> bool {
    !(path.starts_with("/s/") || path.starts_with("/listen/"))
}

/// The login page that returns to `here` afterwards.
pub fn login_url(here: &str) -> String {
    let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
    format!("/login?next={next}")
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's scripts carry this response's nonce (leptos_axum makes one per response);
    // the policy allows only those and our own files.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(policy) = http::HeaderValue::from_str(&crate::server::security::page_policy(&nonce)) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
        }
        // Pages hold a family's own words: never stored by shared caches, always revalidated.
        response.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("private, no-cache"));
    }
    #[cfg(feature = "ssr")]
    let stylesheet = crate::server::assets::page_stylesheet_href(&options);
    #[cfg(not(feature = "ssr"))]
    let stylesheet = "";
    #[cfg(feature = "ssr")]
    let loader = crate::server::assets::hydration_script(&options);
    #[cfg(not(feature = "ssr"))]
    let loader = "";
    #[cfg(feature = "ssr")]
    let hydrate = use_context::<http::request::Parts>().is_none_or(|request| hydrates(request.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let hydrate = true;
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content="Collect a loved one's life stories and make them into a book."/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" id="leptos" href=stylesheet/>
                <AutoReload options=options.clone()/>
                {hydrate.then(|| view! { <script type="module" nonce=leptos::nonce::use_nonce()>{loader}</script> })}
                <script type="module" src="/enhance.js"></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Who is signed in, shared by every page and refreshed after logging in or out.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub signup: ServerAction<Signup>,
    pub confirm: ServerAction<ConfirmEmail>,
    pub reset: ServerAction<ResetPassword>,
    pub link: ServerAction<SignInWithLink>,
    pub leave: ServerAction<DeleteMyAccount>,
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::components::forms::Changes::provide();
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let signup = ServerAction::<Signup>::new();
    let confirm = ServerAction::<ConfirmEmail>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let link = ServerAction::<SignInWithLink>::new();
    let leave = ServerAction::<DeleteMyAccount>::new();
    let user = Resource::new(
        move || {
            (
                login.version().get(),
                logout.version().get(),
                signup.version().get(),
                confirm.version().get(),
                reset.version().get(),
                link.version().get(),
                // Only a deletion that went through signs the person out. Refetching after a
                // refused one re-rendered the signed-in page and emptied the password field
                // the person was already typing into again.
                leave.value().with(|left| matches!(left, Some(Ok(())))),
            )
        },
        |_| current_user(),
    );
    provide_context(Session { user, login, logout, signup, confirm, reset, link, leave });

    // Lets browser tests (and curious people) tell when the page has come alive.
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title text="MyStoryFlow"/>
        <Router>
            <SiteHeader/>
            <main id="main" class="page" tabindex="-1">
                // Async: each page is sent whole, so it works with JavaScript off and its
                // status (404, redirects) is known before the first byte.
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup/sent") view=SignupSentPage ssr=SsrMode::Async/>
                    <Route path=path!("/signup/confirm/:token") view=ConfirmEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/login/forgot") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/login/link") view=EmailSignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/login/sent") view=RecoverySentPage ssr=SsrMode::Async/>
                    <Route path=path!("/login/reset/:token") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/login/link/:token") view=SignInLinkPage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns") view=CampaignsPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/new") view=NewCampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id") view=CampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/edit") view=EditCampaignPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/stories") view=StoriesPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/stories/new") view=NewStoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/stories/:story") view=StoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/stories/:story/edit") view=EditStoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/photos") view=GalleryPage ssr=SsrMode::Async/>
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/family") view=FamilyPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/questions") view=QuestionsPageView ssr=SsrMode::Async/>
                    <Route path=path!("/invitations/:token") view=InvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async/>
                    <Route path=path!("/s/:token") view=StorytellerPageView ssr=SsrMode::Async/>
                    <Route path=path!("/books") view=BooksPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/books") view=CampaignBooksPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/books/:book") view=BookDesignerPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/books/:book/preview") view=BookPreviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/campaigns/:id/books/:book/order") view=OrderBookPage ssr=SsrMode::Async/>
                    <Route path=path!("/orders") view=OrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("/orders/:order") view=OrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/orders") view=AdminOrdersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/orders/:order") view=AdminOrderPage ssr=SsrMode::Async/>
                    <Route path=path!("/listen/:token") view=ListenPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/email/:token") view=ConfirmEmailChangePage ssr=SsrMode::Async/>
                    <Route path=path!("/account/delete") view=DeleteAccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/goodbye") view=AccountDeletedPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <SiteFooter/>
        </Router>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_pages_include_their_subpages_only() {
        assert!(is_member_page("/dashboard"));
        assert!(is_member_page("/campaigns/123"));
        assert!(!is_member_page("/campaignsx"));
        assert!(!is_member_page("/login"));
        assert!(!is_member_page("/"));
    }

    #[test]
    fn the_storytellers_and_listening_pages_go_without_the_bundle() {
        assert!(!hydrates("/s/abc"));
        assert!(!hydrates("/s/abc?q=1"));
        assert!(!hydrates("/listen/abc"));
        assert!(hydrates("/stories"));
        assert!(hydrates("/listening"));
        assert!(hydrates("/campaigns/1/stories/2"));
        assert!(hydrates("/"));
    }

    #[test]
    fn login_urls_carry_the_page_to_return_to() {
        assert_eq!(login_url("/account?tab=a&b=1"), "/login?next=%2Faccount%3Ftab%3Da%26b%3D1");
    }
}
