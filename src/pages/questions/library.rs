//! Writing a question of one's own, or choosing from the library.
use super::*;

#[component]
pub(super) fn WriteForm(campaign_id: Uuid, flash: Option<Flash>) -> impl IntoView {
    let write = ServerAction::<WriteQuestion>::new();
    let error = form_error(write.value(), flash.as_ref());
    let typed = flash.as_ref().and_then(|f| f.value("question")).unwrap_or_default();
    let message = move || error.get().and_then(|e| e.field("question"));
    view! {
        <section class="card" id="write" aria-labelledby="write-heading">
            <h2 id="write-heading">"Write your own question"</h2>
            <PostForm action=write alert=false>
                <FormAlert error/>
                {hidden("campaign_id", campaign_id)}
                <div class="field">
                    <label for="new-question">"Your question"</label>
                    <p class="field__hint" id="new-question-hint">"Specific questions bring the best stories: “What did your kitchen smell like on a Sunday?”"</p>
                    <textarea id="new-question" name="question" rows="3" aria-describedby="new-question-hint new-question-error">{typed}</textarea>
                    <p class="field__error" id="new-question-error">{message}</p>
                </div>
                <div class="field">
                    <label for="new-question-category">"File the answer under"</label>
                    <select id="new-question-category" name="category">
                        {CATEGORIES.into_iter().map(|(value, label)| view! {
                            <option value=value selected=value == "other">{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Add to the queue"</button>
            </PostForm>
        </section>
    }
}

#[component]
pub(super) fn Library(campaign_id: Uuid, library: Vec<Prompt>, topic: String, search: String) -> impl IntoView {
    let shown = library.len();
    view! {
        <section class="card" id="library" aria-labelledby="library-heading">
            <h2 id="library-heading">"Choose from our questions"</h2>
            <form method="get" action=urls::questions(campaign_id) class="library-filter">
                <div class="field">
                    <label for="library-topic">"Topic"</label>
                    <select id="library-topic" name="topic">
                        <option value="" selected=topic.is_empty()>"Every topic"</option>
                        {TOPICS.into_iter().map(|(value, label)| view! {
                            <option value=value selected=topic == value>{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="library-search">"Words in the question"</label>
                    <input id="library-search" type="search" name="search" value=search maxlength=MAX_SEARCH_CHARS.to_string()/>
                </div>
                <button type="submit" class="button button--quiet">"Show questions"</button>
            </form>
            <p class="muted" role="status">{count(shown as i64, "question", "questions")}" to choose from"</p>
            <ul class="plain-list library">
                {library.into_iter().map(|p| {
                    let add = ServerAction::<AddPrompt>::new();
                    view! {
                        <li>
                            <PostForm action=add>
                                {hidden("campaign_id", campaign_id)}{hidden("prompt_id", p.id)}
                                <span class="library__question">{p.question.clone()}</span>" "
                                <span class="muted">{topic_label(&p.topic)}</span>" "
                                <button type="submit" class="button button--small"
                                    aria-label=format!("Add: {}", p.question)>"Add"</button>
                            </PostForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
