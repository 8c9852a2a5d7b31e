//! Emailed replies held until someone in the family looks at them.
use super::*;

/// Emailed replies from people who may not answer: shown whole, published or discarded by
/// the family, never published by themselves.
#[component]
pub(super) fn HeldReplies(campaign_id: Uuid, who: String, held: Vec<HeldReply>, flash: Option<Flash>) -> impl IntoView {
    let publish = ServerAction::<PublishEmailedReply>::new();
    let discard = ServerAction::<DiscardEmailedReply>::new();
    let published = form_error(publish.value(), flash.as_ref());
    let discarded = form_error(discard.value(), None);
    let publish_label = format!("Publish as {who}'s answer");
    let error = Signal::derive(move || published.get().or_else(|| discarded.get()));
    view! {
        <section class="card" id="held" aria-labelledby="held-heading">
            <h2 id="held-heading">"Emailed replies waiting for you"</h2>
            <p>{format!(
                "These came by email in reply to a question, but not from {who}'s address or a family member's. \
                 Nothing is shown to the family until you publish it."
            )}</p>
            <FormAlert error/>
            <ul class="plain-list">
                {held.into_iter().map(|reply| {
                    let publish_label = publish_label.clone();
                    let from = match &reply.sender_name {
                        Some(name) => format!("{name} <{}>", reply.sender),
                        None => reply.sender.clone(),
                    };
                    let label = format!("Reply from {from}");
                    view! {
                        <li>
                            <article aria-label=label>
                                <p><strong>{format!("From {from}")}</strong>" · "{format!("received {}", reply.received)}</p>
                                {reply.question.map(|q| view! { <p class="muted">{format!("Answering: {q}")}</p> })}
                                <blockquote class="held-reply">{reply.body}</blockquote>
                                {(!reply.notes.is_empty()).then(|| view! {
                                    <ul>{reply.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                })}
                                <div class="actions">
                                    <PostForm action=publish alert=false attr:class="inline-form">
                                        {hidden("campaign_id", campaign_id)}{hidden("reply_id", reply.id)}
                                        <button type="submit" class="button button--small">{publish_label.clone()}</button>
                                    </PostForm>
                                    <PostForm action=discard alert=false attr:class="inline-form"
                                        attr:data-confirm="Discard this message? It will not be kept.">
                                        {hidden("campaign_id", campaign_id)}{hidden("reply_id", reply.id)}
                                        <button type="submit" class="button button--small button--quiet">"Discard"</button>
                                    </PostForm>
                                </div>
                            </article>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
