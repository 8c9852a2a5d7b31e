//! The editor's recording and photo sections: record or upload audio, its transcription,
//! and the story's photos. Plain forms; public/enhance.js adds recording and progress.
use crate::api::photos::{LinkPhoto, SetPhotoCaption};
use crate::api::stories::{RemoveAudio, SaveTranscription, UseTranscription};
use crate::components::forms::PostForm;
use leptos::prelude::*;
use uuid::Uuid;

use super::{duration, photo_alt, PhotoUploadForm};
use crate::model::story::{StoryDetail, TranscriptionStatus, TranscriptionUse};
use crate::urls;

/// Recording in the browser (public/enhance.js drives MediaRecorder), uploading a file
/// (a plain multipart form; enhance.js adds a progress bar), and the transcription.
#[component]
pub fn Recording(story: StoryDetail) -> impl IntoView {
    let (campaign_id, story_id) = (story.campaign_id, story.id);
    let upload_url = urls::story_audio(campaign_id, story_id);
    let status = story.transcription_status;
    let transcription_text = story.transcription.clone().unwrap_or_default();
    let follow = FollowTranscription::new(campaign_id, story_id, status, &transcription_text);
    view! {
        <section class="card" aria-labelledby="recording-heading">
            <h2 id="recording-heading">"Recording"</h2>
            {match story.audio.clone() {
                Some(audio) => view! {
                    <p>{format!("Recording · {}", duration(audio.duration_seconds))}</p>
                    <audio controls preload="metadata" src=audio.url aria-label="Play the recording"></audio>
                    <PostForm action={ServerAction::<RemoveAudio>::new()} attr:class="inline-form"
                        attr:data-confirm="Remove this recording?">
                        <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                        <input type="hidden" name="story_id" value=story_id.to_string()/>
                        <button type="submit" class="button button--quiet">"Remove recording"</button>
                    </PostForm>
                }.into_any(),
                None => view! { <p class="muted">"No recording yet."</p> }.into_any(),
            }}
            // Each control carries the recorder steps it belongs to; enhance.js shows only
            // the current step's (idle → Start; recording → timer, Pause, Stop; stopped →
            // listen back, Save, Record again).
            <div class="recorder" data-recorder data-upload=upload_url.clone() hidden>
                <h3>"Record by voice"</h3>
                <p class="recorder__timer" aria-live="off" data-step="recording" hidden>"0:00"</p>
                <div class="button-row">
                    <button type="button" class="button" data-action="start" data-step="idle">"Start recording"</button>
                    <button type="button" class="button button--quiet" data-action="pause" data-step="recording" hidden>"Pause"</button>
                    <button type="button" class="button" data-action="stop" data-step="recording" hidden>"Stop"</button>
                </div>
                <audio class="recorder__preview" controls data-step="stopped" hidden aria-label="Listen back to your recording"></audio>
                <div class="button-row">
                    <button type="button" class="button" data-action="upload" data-step="stopped" hidden>"Save this recording"</button>
                    <button type="button" class="button button--quiet" data-action="discard" data-step="stopped" hidden>"Record again"</button>
                </div>
                <p class="recorder__message" role="status"></p>
            </div>
            <form method="post" action=upload_url enctype="multipart/form-data" class="upload-form" data-upload-form>
                <div class="field">
                    <label for="audio-file">"Upload a recording"</label>
                    <p class="field__hint" id="audio-file-hint">"MP3, M4A, WAV, OGG or WebM, up to 200 MB."</p>
                    <input id="audio-file" type="file" name="audio" required aria-describedby="audio-file-hint"
                        accept="audio/*,.mp3,.m4a,.wav,.ogg,.opus,.webm"/>
                </div>
                <progress max="100" value="0" hidden aria-label="Upload progress"></progress>
                <p class="upload-form__message" role="status"></p>
                <button type="submit" class="button button--quiet">"Upload recording"</button>
            </form>
            {story.audio.is_some().then(|| view! {
                <h3>"Transcription"</h3>
                {if story.transcription_enabled || status != TranscriptionStatus::None {
                    view! {
                        <p class="transcription-status" role="status"
                            data-status=move || format!("{:?}", follow.status.get()).to_lowercase()>
                            {move || follow.message.get().unwrap_or_else(|| follow.status.get().label().to_owned())}
                        </p>
                    }.into_any()
                } else {
                    view! { <p class="muted">"Automatic transcription is off on this server. You can type what was said below."</p> }.into_any()
                }}
                <PostForm action={ServerAction::<SaveTranscription>::new()}>
                    <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                    <input type="hidden" name="story_id" value=story_id.to_string()/>
                    <div class="field">
                        <label for="transcription">"What was said"</label>
                        <textarea id="transcription" name="transcription" rows="6"
                            prop:value=move || follow.text.get()
                            on:input=move |ev| follow.text.set(event_target_value(&ev))>{transcription_text}</textarea>
                    </div>
                    <button type="submit" class="button button--quiet">"Save transcription"</button>
                </PostForm>
                {move || follow.saved.get().then(|| view! {
                    <div class="button-row">
                        <PostForm action={ServerAction::<UseTranscription>::new()} attr:class="inline-form">
                            <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                            <input type="hidden" name="story_id" value=story_id.to_string()/>
                            <input type="hidden" name="mode" value=TranscriptionUse::Replace.as_str()/>
                            <button type="submit" class="button button--quiet">"Use as the story text"</button>
                        </PostForm>
                        <PostForm action={ServerAction::<UseTranscription>::new()} attr:class="inline-form">
                            <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                            <input type="hidden" name="story_id" value=story_id.to_string()/>
                            <input type="hidden" name="mode" value=TranscriptionUse::Append.as_str()/>
                            <button type="submit" class="button button--quiet">"Add to the end of the story"</button>
                        </PostForm>
                    </div>
                })}
            })}
        </section>
    }
}

#[component]
pub fn Photos(story: StoryDetail) -> impl IntoView {
    let (campaign_id, story_id) = (story.campaign_id, story.id);
    let here = urls::story_edit(campaign_id, story_id);
    let title = story.title.clone();
    let total = story.photos.len();
    view! {
        <section class="card" aria-labelledby="photos-heading">
            <h2 id="photos-heading">"Photos"</h2>
            <ul class="photo-grid">
                {story.photos.into_iter().enumerate().map(|(i, p)| {
                    let alt = photo_alt(p.caption.as_deref(), &title, i, total);
                    let here = here.clone();
                    view! {
                        <li>
                            <figure>
                                <img src=p.thumbnail_url.clone() alt=alt.clone() loading="lazy"
                                    data-width=p.width.to_string() data-height=p.height.to_string()/>
                                <PostForm action={ServerAction::<SetPhotoCaption>::new()}>
                                    <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                                    <input type="hidden" name="photo_id" value=p.id.to_string()/>
                                    <input type="hidden" name="back" value=here/>
                                    <label for=format!("caption-{}", p.id)>"Caption"</label>
                                    <input id=format!("caption-{}", p.id) name="caption" type="text" maxlength="1000"
                                        value=p.caption.clone().unwrap_or_default()/>
                                    <button type="submit" class="button button--small button--quiet">"Save caption"</button>
                                </PostForm>
                                <PostForm action={ServerAction::<LinkPhoto>::new()}>
                                    <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                                    <input type="hidden" name="story_id" value=story_id.to_string()/>
                                    <input type="hidden" name="photo_id" value=p.id.to_string()/>
                                    <input type="hidden" name="attach" value="false"/>
                                    <button type="submit" class="button button--small button--quiet"
                                        aria-label=format!("Remove {alt} from this story")>"Remove from story"</button>
                                </PostForm>
                            </figure>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <PhotoUploadForm action=urls::photo_upload_for_story(campaign_id, story_id) id="photo-files"
                button_class="button button--quiet"/>
            <p><a href=urls::photos_for_story(campaign_id, story_id)>"Choose from the campaign's photos"</a></p>
        </section>
    }
}

/// A transcription being made, followed from the editor: with JavaScript, the slim
/// `transcription_progress` server function every 3 s until it ends; the finished text goes
/// into the (still empty) box. Without JavaScript the status is as of the page load.
#[derive(Clone, Copy)]
struct FollowTranscription {
    status: RwSignal<TranscriptionStatus>,
    message: RwSignal<Option<String>>,
    /// The transcription box's text (what the member may be typing).
    text: RwSignal<String>,
    /// A transcription is saved: it can be used as the story text.
    saved: RwSignal<bool>,
}

impl FollowTranscription {
    fn new(campaign_id: Uuid, story_id: Uuid, status: TranscriptionStatus, text: &str) -> Self {
        let follow = FollowTranscription {
            status: RwSignal::new(status),
            message: RwSignal::new(None),
            text: RwSignal::new(text.to_owned()),
            saved: RwSignal::new(!text.trim().is_empty()),
        };
        #[cfg(feature = "hydrate")]
        Effect::new(move |_| {
            if status.in_progress() {
                follow.poll(campaign_id, story_id);
            }
        });
        let _ = (campaign_id, story_id);
        follow
    }

    #[cfg(feature = "hydrate")]
    fn poll(self, campaign_id: Uuid, story_id: Uuid) {
        crate::components::follow::follow(
            std::time::Duration::from_secs(3),
            move || async move { crate::api::stories::transcription_progress(campaign_id, story_id).await.ok() },
            move |now: crate::model::story::TranscriptionState| {
                let _ = self.status.try_set(now.status);
                if now.status.in_progress() {
                    return false;
                }
                let text = now.transcription.unwrap_or_default();
                if now.status == TranscriptionStatus::Done && !text.trim().is_empty() {
                    let _ = self.saved.try_set(true);
                    if self.text.try_with_untracked(|t| t.trim().is_empty()) == Some(true) {
                        let _ = self.text.try_set(text);
                        let _ = self.message.try_set(Some(
                            "Transcribed. Check the text below, then save it or use it as the story text.".to_owned(),
                        ));
                    }
                }
                true
            },
        );
    }
}
