//! When the storyteller is asked, the link they answer from, and the printed question cards.
use super::*;

/// The weekly question: day, time and time zone, the reminder, pause.
#[component]
pub(super) fn ScheduleForm(
    campaign_id: Uuid,
    schedule: Option<QuestionSchedule>,
    your_zone: Option<String>,
    flash: Option<Flash>,
) -> impl IntoView {
    let save = ServerAction::<SaveQuestionSchedule>::new();
    let error = form_error(save.value(), flash.as_ref());
    let typed = |name: &str| flash.as_ref().and_then(|f| f.value(name));
    let weekday =
        typed("weekday").and_then(|d| d.parse::<u8>().ok()).or(schedule.as_ref().map(|s| s.weekday)).unwrap_or(7);
    let time = typed("time").or(schedule.as_ref().map(|s| s.time.clone())).unwrap_or_else(|| "10:00".into());
    let zone = typed("time_zone").or(schedule.as_ref().map(|s| s.time_zone.clone())).or(your_zone).unwrap_or_default();
    let reminder = typed("reminder_days")
        .or(schedule.as_ref().map(|s| s.reminder_days.map(|d| d.to_string()).unwrap_or_else(|| "off".into())))
        .unwrap_or_else(|| DEFAULT_REMINDER_DAYS.to_string());
    let paused = schedule.as_ref().is_some_and(|s| s.paused);
    let message = move |name: &'static str| move || error.get().and_then(|e| e.field(name));
    view! {
        <section class="card" id="schedule" aria-labelledby="schedule-heading">
            <h2 id="schedule-heading">"A question every week"</h2>
            <PostForm action=save alert=false>
                <FormAlert error/>
                {hidden("campaign_id", campaign_id)}
                <div class="field">
                    <label for="schedule-weekday">"Day"</label>
                    <select id="schedule-weekday" name="weekday">
                        {WEEKDAYS.iter().enumerate().map(|(i, day)| {
                            let n = i as u8 + 1;
                            view! { <option value=n.to_string() selected=n == weekday>{*day}</option> }
                        }).collect_view()}
                    </select>
                    {move || message("weekday")().map(|m| view! { <p class="field__error">{m}</p> })}
                </div>
                <div class="field">
                    <label for="schedule-time">"Time"</label>
                    <input id="schedule-time" type="time" name="time" value=time required/>
                    {move || message("time")().map(|m| view! { <p class="field__error">{m}</p> })}
                </div>
                <div class="field">
                    <label for="schedule-zone">"Their time zone"</label>
                    <p class="field__hint" id="schedule-zone-hint">"Where the storyteller lives, such as Europe/London or America/New_York."</p>
                    <input id="schedule-zone" type="text" name="time_zone" value=zone list="time-zones" required
                        aria-describedby="schedule-zone-hint" autocomplete="off"/>
                    <datalist id="time-zones">
                        {COMMON_TIME_ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
                    </datalist>
                    {move || message("time_zone")().map(|m| view! { <p class="field__error">{m}</p> })}
                </div>
                <div class="field">
                    <label for="schedule-reminder">"Gentle reminder"</label>
                    <select id="schedule-reminder" name="reminder_days">
                        <option value="off" selected=reminder == "off">"No reminder"</option>
                        {[2u8, 3, 4, 5, 7].into_iter().map(|d| view! {
                            <option value=d.to_string() selected=reminder == d.to_string()>{format!("After {d} days without an answer")}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field field--checkbox">
                    <input id="schedule-paused" type="checkbox" name="paused" value="on" checked=paused/>
                    <label for="schedule-paused">"Pause the weekly question"</label>
                </div>
                <button type="submit" class="button">"Save the schedule"</button>
            </PostForm>
        </section>
    }
}

/// The storyteller's link (to copy, or replace when it went astray) and "send the next
/// question now".
#[component]
pub(super) fn StorytellerLinkCard(campaign_id: Uuid, who: String, waiting: bool, link: String) -> impl IntoView {
    let replace = ServerAction::<ReplaceStorytellerLink>::new();
    let send = ServerAction::<SendQuestionNow>::new();
    view! {
        <section class="card" id="link" aria-labelledby="link-heading">
            <h2 id="link-heading">{format!("{who}'s link")}</h2>
            <p>{format!("{who} answers from this link, by talking or writing, without an account. Anyone who has it can answer, so share it only with {who}.")}</p>
            <div class="field">
                <label for="storyteller-link">"Storyteller's link"</label>
                <input id="storyteller-link" type="text" readonly value=link.clone()/>
            </div>
            <div class="button-row">
                <button type="button" class="button" data-copy="storyteller-link" hidden>"Copy link"</button>
                <a class="button button--quiet" href=link>"Open it"</a>
            </div>
            <p class="copy-message" role="status"></p>
            <div class="button-row">
                {waiting.then(|| view! {
                    <PostForm action=send>
                        {hidden("campaign_id", campaign_id)}
                        <button type="submit" class="button">"Send the next question now"</button>
                    </PostForm>
                })}
                <PostForm action=replace attr:data-confirm="Replace the link? The old link stops working at once.">
                    {hidden("campaign_id", campaign_id)}
                    <button type="submit" class="button button--quiet">"Replace the link"</button>
                </PostForm>
            </div>
        </section>
    }
}

/// Question cards to print, for a storyteller who doesn't use email. A plain form: the
/// answer is the PDF, which the browser downloads.
#[component]
pub(super) fn CardsForm(
    campaign_id: Uuid,
    who: String,
    open: usize,
    waiting: usize,
    flash: Option<Flash>,
) -> impl IntoView {
    let typed = |name: &str| flash.as_ref().and_then(|f| f.value(name));
    let paper = typed("paper").unwrap_or_else(|| "letter".into());
    let more = typed("more").unwrap_or_else(|| waiting.min(4).to_string());
    let more_error = flash.as_ref().and_then(|f| f.error.field("more"));
    let alert = flash.as_ref().filter(|f| f.error.field("more").is_none()).map(|f| f.error.to_string());
    view! {
        <section class="card" id="cards" aria-labelledby="cards-heading">
            <h2 id="cards-heading">"Question cards to print"</h2>
            <p>{format!(
                "For {who} to answer without email: one question a page in large type, with a square code their phone's camera opens the question with. The cards hold every question waiting for an answer ({open} now)."
            )}</p>
            {alert.map(|a| view! { <p class="form-alert" role="alert">{a}</p> })}
            <form method="post" action=urls::question_cards(campaign_id)>
                <fieldset class="field">
                    <legend>"Paper"</legend>
                    <label><input type="radio" name="paper" value="letter" checked=paper != "a4"/>" Letter"</label>
                    <label><input type="radio" name="paper" value="a4" checked=paper == "a4"/>" A4"</label>
                </fieldset>
                <div class="field">
                    <label for="cards-more">"Also hand over this many new questions from the queue"</label>
                    <p class="field__hint" id="cards-more-hint">{format!(
                        "0 to {MAX_NEW_CARDS}; {waiting} waiting. They count as sent, and the weekly email skips them."
                    )}</p>
                    <input id="cards-more" name="more" type="number" min="0" max=MAX_NEW_CARDS.to_string() inputmode="numeric"
                        value=more aria-describedby="cards-more-hint cards-more-error"
                        aria-invalid=more_error.is_some().then_some("true")/>
                    <p class="field__error" id="cards-more-error">{more_error}</p>
                </div>
                <button type="submit" class="button">"Make the cards (PDF)"</button>
            </form>
        </section>
    }
}
