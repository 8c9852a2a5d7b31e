//! Books designed from a campaign's stories: the list, the designer, the page-by-page
//! preview, and the listening page a printed QR code opens.
mod designer;
mod designer_stories;
mod listen;
mod preview;

use crate::api::books::CreateBook;
use crate::components::forms::PostForm;
use crate::components::forms::{hidden, Changes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

pub use designer::BookDesignerPage;
pub use listen::ListenPage;
pub use preview::BookPreviewPage;

use crate::api::auth::take_flash;
use crate::api::books::{book, books};
use crate::api::campaigns::dashboard;
use crate::components::forms::{form_error, Field, FormAlert};
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::error::AppError;
use crate::model::book::{BookDetail, BookList};
use crate::model::{count, Flash};
use crate::urls;

/// `/books`: every campaign's books are designed from that campaign.
#[component]
pub fn BooksPage() -> impl IntoView {
    let campaigns = Resource::new(|| (), |_| dashboard(String::new()));
    view! {
        <Title text="Books · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <h1>"Books"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match campaigns.await {
                        Ok(list) if list.is_empty() => view! {
                            <section class="card empty-state">
                                <p>"Once a campaign has stories, you can design its book here."</p>
                                <p><a class="button" href="/campaigns/new">"Start a campaign"</a></p>
                            </section>
                        }.into_any(),
                        Ok(list) => view! {
                            <p>"A book is made from one campaign's stories. Choose the campaign:"</p>
                            <ul class="plain-list">
                                {list.into_iter().map(|c| view! {
                                    <li><a href=urls::books(c.id)>{format!("Books of {}", c.title)}</a></li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

pub(crate) fn campaign_id_param() -> Memo<Option<Uuid>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| Uuid::parse_str(&id).ok()))
}

/// The book named by `/campaigns/:id/books/:book…`, loaded for the designer and preview.
pub(crate) fn book_in_address() -> Resource<Result<BookDetail, AppError>> {
    let campaign = campaign_id_param();
    let params = use_params_map();
    let book_id = Memo::new(move |_| params.read().get("book").and_then(|id| Uuid::parse_str(&id).ok()));
    Resource::new(
        move || (campaign.get(), book_id.get(), Changes::track()),
        |(campaign, book_id, _)| async move {
            let ids = (campaign, book_id);
            match ids {
                (Some(c), Some(b)) => book(c, b).await,
                _ => Err(AppError::NotFound),
            }
        },
    )
}

/// `/campaigns/:id/books`: the campaign's books and a form to start one.
#[component]
pub fn CampaignBooksPage() -> impl IntoView {
    let id = campaign_id_param();
    let list = Resource::new(
        move || (id.get(), Changes::track()),
        |(id, _)| async move {
            match id {
                Some(id) => books(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let flash = Resource::new(|| (), |_| take_flash("create_book".into()));
    view! {
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match list.await {
                        Ok(list) => view! { <BookListView list flash/> }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn BookListView(list: BookList, flash: Option<Flash>) -> impl IntoView {
    let campaign_id = list.campaign_id;
    let create = ServerAction::<CreateBook>::new();
    let error = form_error(create.value(), flash.as_ref());
    let typed_title = flash.as_ref().and_then(|f| f.value("title")).unwrap_or_default();
    view! {
        <Title text=format!("Books · {} · MyStoryFlow", list.campaign_title)/>
        <nav aria-label="Breadcrumb" class="crumbs"><ol>
            <li><a href=urls::campaign(campaign_id)>{list.campaign_title.clone()}</a></li>
        </ol></nav>
        <h1>"Books"</h1>
        {if list.books.is_empty() {
            view! { <p class="muted">"No books yet."</p> }.into_any()
        } else {
            view! {
                <ul class="book-list">
                    {list.books.into_iter().map(|b| view! {
                        <li class="card book-card">
                            <h2><a href=urls::book(campaign_id, b.id)>{b.title}</a></h2>
                            <p class="muted">{format!("{} · {}{}", b.status.label(), count(b.story_count, "story", "stories"),
                                if b.page_count > 0 { format!(" · {}", count(b.page_count, "page", "pages")) } else { String::new() })}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {list.may_design.then(|| view! {
            <section class="card" aria-labelledby="new-book-heading">
                <h2 id="new-book-heading">"Start a new book"</h2>
                <p class="muted">"It starts with every finished story (completed or reviewed), in the campaign's order. You can change everything afterwards."</p>
                <PostForm action=create alert=false>
                    <FormAlert error/>
                    {hidden("campaign_id", campaign_id)}
                    <Field id="book-title" name="title" label="Book title" value=typed_title error/>
                    <button type="submit" class="button">"Create book"</button>
                </PostForm>
            </section>
        })}
    }
}
