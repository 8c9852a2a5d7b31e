//! What a printed QR code opens: one story's recording, playable without an account.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::books::listening;
use crate::error::AppError;

#[component]
pub fn ListenPage() -> impl IntoView {
    let params = use_params_map();
    let found = Resource::new(move || params.read().get("token").unwrap_or_default(), listening);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(l) => view! {
                        <Title text=format!("{} · MyStoryFlow", l.story_title)/>
                        <section class="card listen">
                            <p class="muted">{match &l.storyteller {
                                Some(name) => format!("From {} · told by {name}", l.campaign_title),
                                None => format!("From {}", l.campaign_title),
                            }}</p>
                            <h1>{l.story_title.clone()}</h1>
                            <audio controls preload="metadata" class="listen__player" aria-label=format!("Recording of “{}”", l.story_title)>
                                <source src=l.audio_url.clone() type=l.audio_mime.clone()/>
                                <a href=l.audio_url.clone()>"Download the recording"</a>
                            </audio>
                        </section>
                    }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <Title text="Recording not available · MyStoryFlow"/>
                        <section class="card listen">
                            <h1>"This recording isn't available"</h1>
                            <p>"The family has turned this listening link off, or the recording was removed. Ask them for a new link."</p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <crate::components::error_panel::ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
