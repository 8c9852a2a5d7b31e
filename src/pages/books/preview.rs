//! The page-by-page preview: the images are drawn from the very document that was printed
//! to PDF. Page, spreads and zoom live in the address, so plain links flip pages without
//! JavaScript.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::book_in_address;
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::model::book::{page_image_url, BookDetail, RenderStatus};
use crate::urls;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct View {
    pub page: usize,
    pub spreads: bool,
    /// Percent of the page-fit size: 100, 150 or 200.
    pub zoom: u32,
}

impl View {
    const ZOOMS: [u32; 3] = [100, 150, 200];

    pub fn parse(page: Option<&str>, view: Option<&str>, zoom: Option<&str>, pages: usize) -> Self {
        let page = page.and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages.max(1));
        let zoom = zoom.and_then(|z| z.parse::<u32>().ok()).filter(|z| Self::ZOOMS.contains(z)).unwrap_or(100);
        View { page, spreads: view == Some("spreads"), zoom }
    }

    /// The pages on screen: in spreads, page 1 alone on the right (as in the bound book),
    /// then even-odd pairs.
    pub fn shown(&self, pages: usize) -> Vec<usize> {
        if !self.spreads || self.page == 1 {
            return vec![self.page];
        }
        let left = self.page - self.page % 2;
        (left..=(left + 1).min(pages)).collect()
    }

    pub fn previous(&self) -> Option<usize> {
        let first = self.shown(usize::MAX)[0];
        // A spread starts on an even page; the one before it starts two pages earlier.
        (first > 1).then(|| if self.spreads && first > 2 { first - 2 } else { first - 1 })
    }

    pub fn next(&self, pages: usize) -> Option<usize> {
        let last = *self.shown(pages).last().unwrap_or(&1);
        (last < pages).then_some(last + 1)
    }

    pub fn href(&self, base: &str, page: usize, spreads: bool, zoom: u32) -> String {
        let view = if spreads { "&view=spreads" } else { "" };
        let zoom = if zoom != 100 { format!("&zoom={zoom}") } else { String::new() };
        format!("{base}/preview?page={page}{view}{zoom}")
    }
}

#[component]
pub fn BookPreviewPage() -> impl IntoView {
    let detail = book_in_address();
    view! {
        <RequireUser children=move |_| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(book) => view! { <Preview book/> }.into_any(),
                        Err(error) => view! { <Title text="MyStoryFlow"/><ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Preview(book: BookDetail) -> impl IntoView {
    let query = use_query_map();
    let base = urls::book(book.campaign_id, book.id);
    let pages = book.page_count.max(0) as usize;
    let ready = book.render.status == RenderStatus::Done && book.render_id.is_some() && pages > 0;
    let title = book.title.clone();
    view! {
        <Title text=format!("Preview · {} · MyStoryFlow", book.title)/>
        <nav aria-label="Breadcrumb" class="crumbs"><ol>
            <li><a href=urls::campaign(book.campaign_id)>{book.campaign_title.clone()}</a></li>
            <li><a href=urls::books(book.campaign_id)>"Books"</a></li>
            <li><a href=base.clone()>{book.title.clone()}</a></li>
        </ol></nav>
        <h1>{format!("Preview of {}", book.title)}</h1>
        {if !ready {
            view! { <p class="notice">"There is no PDF to preview yet. " <a href=format!("{base}#print")>"Make the print PDF"</a></p> }.into_any()
        } else {
            let render_id = book.render_id.unwrap_or_default();
            let (campaign_id, book_id) = (book.campaign_id, book.id);
            let cover_url = book.render.cover_pdf_url.clone().map(|u| u.replace("cover.pdf", "cover.png"));
            let outdated = book.render.outdated;
            view! {
                {outdated.then(|| view! { <p class="notice">"This preview shows the last PDF; the book has changed since."</p> })}
                {move || {
                    let q = query.read();
                    let view = View::parse(q.get("page").as_deref(), q.get("view").as_deref(), q.get("zoom").as_deref(), pages);
                    let shown = view.shown(pages);
                    let label = match shown.as_slice() {
                        [one] => format!("Page {one} of {pages}"),
                        [a, b] => format!("Pages {a}–{b} of {pages}"),
                        _ => String::new(),
                    };
                    let base = base.clone();
                    let title = title.clone();
                    view! {
                        <nav class="preview-controls" aria-label="Pages">
                            {match view.previous() {
                                Some(p) => view! { <a class="button button--quiet" href=view.href(&base, p, view.spreads, view.zoom) rel="prev">"Previous page"</a> }.into_any(),
                                None => view! { <span class="button button--quiet" aria-disabled="true">"Previous page"</span> }.into_any(),
                            }}
                            <span class="preview-controls__where" aria-live="polite">{label}</span>
                            {match view.next(pages) {
                                Some(p) => view! { <a class="button button--quiet" href=view.href(&base, p, view.spreads, view.zoom) rel="next">"Next page"</a> }.into_any(),
                                None => view! { <span class="button button--quiet" aria-disabled="true">"Next page"</span> }.into_any(),
                            }}
                            {if view.spreads {
                                view! { <a class="button button--quiet" href=view.href(&base, view.page, false, view.zoom)>"One page at a time"</a> }.into_any()
                            } else {
                                view! { <a class="button button--quiet" href=view.href(&base, view.page, true, view.zoom)>"Show facing pages"</a> }.into_any()
                            }}
                            {View::ZOOMS.iter().map(|z| {
                                let current = *z == view.zoom;
                                view! {
                                    <a class="button button--small button--quiet" href=view.href(&base, view.page, view.spreads, *z)
                                        aria-current=current.then_some("true")>{format!("Zoom {z}%")}</a>
                                }
                            }).collect_view()}
                            <form method="get" action=format!("{base}/preview") class="inline-form">
                                {view.spreads.then(|| view! { <input type="hidden" name="view" value="spreads"/> })}
                                <label for="go-to-page">"Go to page"</label>
                                <input id="go-to-page" type="number" name="page" min="1" max=pages.to_string() value=view.page.to_string()/>
                                <button type="submit" class="button button--small button--quiet">"Go"</button>
                            </form>
                        </nav>
                        <div class=format!("preview-pages zoom-{}", view.zoom) class:preview-pages--spread=view.spreads>
                            {shown.into_iter().map(|p| view! {
                                <figure class="preview-page">
                                    <img src=page_image_url(campaign_id, book_id, render_id, p) alt=format!("Page {p} of {title}")/>
                                    <figcaption class="muted">{format!("Page {p}")}</figcaption>
                                </figure>
                            }).collect_view()}
                        </div>
                    }
                }}
                {cover_url.map(|src| view! {
                    <section class="card" aria-labelledby="cover-preview-heading">
                        <h2 id="cover-preview-heading">"Cover (back, spine, front)"</h2>
                        <img class="cover-preview" src=src alt="The cover spread: back, spine and front"/>
                    </section>
                })}
            }.into_any()
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::View;

    #[test]
    fn spreads_pair_even_and_odd_pages_after_the_first() {
        let v = View::parse(Some("1"), Some("spreads"), None, 12);
        assert_eq!(v.shown(12), vec![1]);
        assert_eq!(v.next(12), Some(2));
        let v = View::parse(Some("5"), Some("spreads"), None, 12);
        assert_eq!(v.shown(12), vec![4, 5]);
        assert_eq!(v.next(12), Some(6));
        assert_eq!(v.previous(), Some(2));
        let v = View::parse(Some("2"), Some("spreads"), None, 12);
        assert_eq!(v.previous(), Some(1));
        let v = View::parse(Some("12"), Some("spreads"), None, 12);
        assert_eq!(v.shown(12), vec![12]);
        assert_eq!(v.next(12), None);
    }

    #[test]
    fn single_pages_clamp_and_step_by_one() {
        let v = View::parse(Some("99"), None, Some("150"), 8);
        assert_eq!((v.page, v.zoom), (8, 150));
        assert_eq!(v.previous(), Some(7));
        assert_eq!(v.next(8), None);
        assert_eq!(View::parse(Some("x"), None, Some("7"), 8), View { page: 1, spreads: false, zoom: 100 });
    }
}
