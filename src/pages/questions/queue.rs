//! The questions waiting to be asked: each one's place, photo and removal.
use super::*;

#[component]
pub(super) fn QueuedItem(
    campaign_id: Uuid,
    question: CampaignQuestion,
    may: bool,
    first: bool,
    last: bool,
) -> impl IntoView {
    let id = question.id;
    let text = question.question.clone();
    let (up_label, down_label, skip_label) =
        (format!("Move up: {text}"), format!("Move down: {text}"), format!("Skip: {text}"));
    let up = ServerAction::<MoveQuestion>::new();
    let down = ServerAction::<MoveQuestion>::new();
    let skip = ServerAction::<SkipQuestion>::new();
    view! {
        <li id=format!("question-{id}") class="question-queue__item">
            {question.photo_id.map(|photo| view! { <QuestionPhoto campaign_id photo/> })}
            <p class="question-queue__text">{text}</p>
            <p class="muted">{category_label(&question.category)}</p>
            {may.then(|| view! {
                <div class="button-row">
                    {(!first).then(|| view! {
                        <PostForm action=up>
                            {hidden("campaign_id", campaign_id)}{hidden("question_id", id)}{hidden("up", true)}
                            <button type="submit" class="button button--small button--quiet"
                                aria-label=up_label.clone()>"Move up"</button>
                        </PostForm>
                    })}
                    {(!last).then(|| view! {
                        <PostForm action=down>
                            {hidden("campaign_id", campaign_id)}{hidden("question_id", id)}{hidden("up", false)}
                            <button type="submit" class="button button--small button--quiet"
                                aria-label=down_label.clone()>"Move down"</button>
                        </PostForm>
                    })}
                    <PostForm action=skip>
                        {hidden("campaign_id", campaign_id)}{hidden("question_id", id)}
                        <button type="submit" class="button button--small button--quiet"
                            aria-label=skip_label.clone()>"Skip"</button>
                    </PostForm>
                    <RemoveButton campaign_id question_id=id/>
                </div>
            })}
        </li>
    }
}

/// The photo a photo question is about, small, opening the full picture.
#[component]
pub(super) fn QuestionPhoto(campaign_id: Uuid, photo: Uuid) -> impl IntoView {
    view! {
        <a href=urls::photo_display(campaign_id, photo) class="question-photo">
            <img src=urls::photo_thumbnail(campaign_id, photo) alt="The photo this question is about" loading="lazy"/>
        </a>
    }
}

#[component]
pub(super) fn PhotoPicker(campaign_id: Uuid, photos: Vec<PhotoChoice>) -> impl IntoView {
    view! {
        <section class="card" id="photos" aria-labelledby="photos-heading">
            <h2 id="photos-heading">"Ask about a photo"</h2>
            <p class="muted">"Choose a picture and the storyteller is asked: “Tell us about this picture.”"</p>
            {if photos.is_empty() {
                view! {
                    <p>"No photos to choose from. "<a href=urls::photos(campaign_id)>"Add photos in the gallery"</a>" first."</p>
                }.into_any()
            } else {
                view! {
                    <ul class="photo-grid">
                        {photos.into_iter().enumerate().map(|(i, p)| {
                            let ask = ServerAction::<AskAboutPhoto>::new();
                            let alt = p.caption.clone().unwrap_or_else(|| format!("Photo {}, without a description", i + 1));
                            view! {
                                <li>
                                    <figure>
                                        <img src=urls::photo_thumbnail(campaign_id, p.id) alt=alt.clone() loading="lazy"/>
                                        {p.caption.clone().map(|c| view! { <figcaption>{c}</figcaption> })}
                                    </figure>
                                    <PostForm action=ask>
                                        {hidden("campaign_id", campaign_id)}{hidden("photo_id", p.id)}
                                        <button type="submit" class="button button--small"
                                            aria-label=format!("Ask about {alt}")>"Ask about this photo"</button>
                                    </PostForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub(super) fn RemoveButton(campaign_id: Uuid, question_id: Uuid) -> impl IntoView {
    let remove = ServerAction::<RemoveQuestion>::new();
    view! {
        <PostForm action=remove>
            {hidden("campaign_id", campaign_id)}{hidden("question_id", question_id)}
            <button type="submit" class="button button--small button--quiet">"Remove"</button>
        </PostForm>
    }
}
