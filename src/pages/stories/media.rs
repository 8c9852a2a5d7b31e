//! The editor's recording and photo sections: record or upload audio, its transcription,
//! and the story's photos. Plain forms; public/enhance.js adds recording and progress.
use crate::api::photos::{LinkPhoto, SetPhotoCaption};
use crate::api::stories::{RemoveAudio, SaveTranscription, UseTranscription};
use crate::components::forms::PostForm;
use leptos::prelude::*;

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
    let transcription = story.transcription.clone();
    let transcription_text = transcription.clone().unwrap_or_default();
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
                        <p class="transcription-status" role="status" data-status=format!("{status:?}").to_lowercase()
                            data-campaign=campaign_id.to_string() data-story=story_id.to_string()>{status.label()}</p>
                    }.into_any()
                } else {
                    view! { <p class="muted">"Automatic transcription is off on this server. You can type what was said below."</p> }.into_any()
                }}
                <PostForm action={ServerAction::<SaveTranscription>::new()}>
                    <input type="hidden" name="campaign_id" value=campaign_id.to_string()/>
                    <input type="hidden" name="story_id" value=story_id.to_string()/>
                    <div class="field">
                        <label for="transcription">"What was said"</label>
                        <textarea id="transcription" name="transcription" rows="6">{transcription_text}</textarea>
                    </div>
                    <button type="submit" class="button button--quiet">"Save transcription"</button>
                </PostForm>
                {transcription.filter(|t| !t.trim().is_empty()).map(|_| view! {
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
