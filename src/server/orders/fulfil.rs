//! Lulu prints by itself: each order placed with it is sent as a print job by a queued job
//! (`submit_print_job`), Lulu downloads the files through signed links that expire after
//! seven days, and what Lulu reports (its webhooks, and an hourly look in case one is lost)
//! moves the order along by the same checked transitions staff use, as "the printer".
use std::time::Duration;

use anyhow::{anyhow, Result};
use chrono::Utc;
use http::StatusCode;
use uuid::Uuid;

use super::lulu::{self, JobUpdate, LuluError, Mapped, NewPrintJob};
use super::providers::{app_error, LuluProvider, LULU};
use super::status_mail;
use crate::error::AppError;
use crate::model::order::{Actor, OrderStatus};
use crate::server::db::jobs;
use crate::server::db::orders::{self, By, Change, PrintOrder, SUBMIT_PRINT_JOB};
use crate::server::jobs::Job;
use crate::server::state::AppState;

/// How long Lulu may download an order's files: it fetches them to check them and again to
/// print, which may be days later.
pub const FILE_LINK_DAYS: i64 = 7;

/// The most a history note holds (the database allows 2000 characters).
const NOTE_MAX_CHARS: usize = 1900;

/// The signed address Lulu downloads one of the order's files from (`interior.pdf`,
/// `cover.pdf`), valid for [`FILE_LINK_DAYS`].
pub fn file_url(state: &AppState, order_id: Uuid, file: &str) -> String {
    let expires_at = (Utc::now() + chrono::Duration::days(FILE_LINK_DAYS)).timestamp();
    state.signer.print_file_link(&state.public_url, order_id, file, expires_at)
}

/// Sends queued orders to Lulu until the server stops.
pub async fn run_worker(state: AppState) {
    loop {
        match run_once(&state).await {
            Ok(true) => continue,
            Ok(false) => tokio::time::sleep(Duration::from_secs(5)).await,
            Err(err) => {
                tracing::error!(error = %format!("{err:#}"), "print job worker");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Runs one due `submit_print_job`, if there is one; returns whether there was. A failure
/// that may pass (Lulu unreachable, its answer lost, our credentials refused) is retried with
/// the queue's backoff; when the attempts run out the order stays pending, "waiting for the
/// printer", and the log says so for staff.
pub async fn run_once(state: &AppState) -> Result<bool> {
    let Some(job) = jobs::claim(&state.db, &[SUBMIT_PRINT_JOB.to_owned()]).await? else {
        return Ok(false);
    };
    let Some(order_id) = job.payload["order_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
        jobs::fail(&state.db, &Job { attempts: job.max_attempts, ..job.clone() }, "no order_id").await?;
        return Ok(true);
    };
    match submit(state, order_id, Some(job.id)).await {
        Ok(()) => jobs::complete(&state.db, job.id).await?,
        Err(err) => {
            let error = format!("{err:#}");
            if job.attempts >= job.max_attempts {
                tracing::error!(%order_id, attempts = job.attempts, %error,
                    "gave up sending an order to Lulu: it stays pending, waiting for the printer, until staff act");
            } else {
                tracing::warn!(%order_id, attempt = job.attempts, %error, "could not send an order to Lulu; will try again");
            }
            jobs::fail(&state.db, &job, &error).await?;
        }
    }
    Ok(true)
}

/// Sends the order to Lulu, once: nothing to do if it has a print job already or is no
/// longer pending (cancelled meanwhile). A job an earlier attempt sent (its answer lost) is
/// found by the order number and recorded instead of sending a second. Otherwise Lulu checks
/// the interior and the cover first, then takes the job. Files or an order Lulu refuses
/// cancel the order, as MyStoryFlow, with Lulu's reasons for the family; any other failure is
/// an `Err`, to try again later. `job_id` is the queue's job, kept alive between the steps
/// (each file check may take minutes).
pub async fn submit(state: &AppState, order_id: Uuid, job_id: Option<i64>) -> Result<()> {
    let lulu = state
        .printer
        .lulu()
        .ok_or_else(|| anyhow!("MSF_PRINT_PROVIDER is not lulu on this server: the order waits until it is"))?;
    let Some(order) = orders::print_order(&state.db, order_id).await? else {
        return Ok(());
    };
    if order.provider != LULU || order.provider_job_id.is_some() || order.status != OrderStatus::Pending {
        return Ok(());
    }
    match send(state, lulu, &order, job_id).await {
        Ok(job) => record(state, lulu, &order, &job).await,
        Err(err @ (LuluError::FileRefused(_) | LuluError::Rejected(_))) => refuse(state, &order, &err).await,
        Err(err) => Err(err.into()),
    }
}

async fn send(
    state: &AppState,
    lulu: &LuluProvider,
    order: &PrintOrder,
    job_id: Option<i64>,
) -> Result<JobUpdate, LuluError> {
    let client = lulu.client();
    if let Some(found) = client.find_print_job(&order.order_number).await? {
        tracing::info!(order_number = %order.order_number, lulu_job = found.id, "found the print job an earlier attempt sent");
        return Ok(found);
    }
    let missing = |what: &str| LuluError::Rejected(format!("The book's {what} was not kept with the order."));
    let trim = order.trim.ok_or_else(|| missing("page size"))?;
    let pages = order.page_count.ok_or_else(|| missing("page count"))?;
    let o = order.options.as_ref().ok_or_else(|| missing("choice of binding, paper and copies"))?;
    let pod = lulu::pod_package_id(trim, o.binding, o.interior, o.paper, o.finish).map_err(LuluError::Rejected)?;
    let interior_url = file_url(state, order.id, "interior.pdf");
    let cover_url = file_url(state, order.id, "cover.pdf");
    client.validate_interior(&interior_url, &pod).await?;
    heartbeat(state, job_id).await;
    client.validate_cover(&cover_url, &pod, pages).await?;
    heartbeat(state, job_id).await;
    let contact_email =
        lulu.contact_email().map(str::to_owned).or_else(|| order.contact_email.clone()).ok_or_else(|| {
            LuluError::Rejected("There is no email address for the printer to ask about the order.".into())
        })?;
    let job = NewPrintJob {
        external_id: order.order_number.clone(),
        contact_email,
        recipient_email: order.contact_email.clone(),
        title: order.book_title.clone(),
        quantity: o.quantity,
        pod_package_id: pod,
        interior_url,
        cover_url,
        address: order.address.clone(),
        shipping: o.shipping,
    };
    client.create_print_job(&job).await
}

async fn heartbeat(state: &AppState, job_id: Option<i64>) {
    if let Some(id) = job_id {
        if let Err(err) = jobs::heartbeat(&state.db, id).await {
            tracing::warn!(error = %err, job = id, "could not mark the print job as still running");
        }
    }
}

/// Keeps Lulu's job id with the order, then applies the status Lulu gave.
async fn record(state: &AppState, lulu: &LuluProvider, order: &PrintOrder, job: &JobUpdate) -> Result<()> {
    match orders::set_provider_job(&state.db, order.id, &job.id.to_string()).await? {
        None => {
            tracing::info!(order_number = %order.order_number, lulu_job = job.id, "the order had a print job recorded meanwhile");
            return Ok(());
        }
        Some(OrderStatus::Cancelled) => {
            // Its owner cancelled it while it was being sent: Lulu must not print it.
            match lulu.client().cancel_print_job(job.id).await {
                Ok(()) => tracing::info!(order_number = %order.order_number, lulu_job = job.id,
                    "the order was cancelled while it was sent; its print job is cancelled too"),
                Err(err) => tracing::error!(order_number = %order.order_number, lulu_job = job.id, error = %err,
                    "the order was cancelled while it was sent, and Lulu did not cancel its print job: cancel it in Lulu's dashboard"),
            }
            return Ok(());
        }
        Some(_) => {}
    }
    tracing::info!(order_number = %order.order_number, lulu_job = job.id, status = %job.status, "the order is with Lulu");
    apply(state, order.id, job).await?;
    Ok(())
}

/// Lulu can't print the files or take the order: the order is cancelled by MyStoryFlow,
/// with Lulu's reasons in the history and in the email to the family.
async fn refuse(state: &AppState, order: &PrintOrder, err: &LuluError) -> Result<()> {
    let note = match err {
        LuluError::FileRefused(reasons) => {
            format!("The printer could not accept the book's files: {}", reasons.join(" "))
        }
        LuluError::Rejected(words) => format!("The printer could not accept the order: {words}"),
        other => other.to_string(),
    };
    let note = clip(&note);
    tracing::warn!(order_number = %order.order_number, %note, "Lulu refused the order; it is cancelled");
    let change = Change { note: Some(note), ..Default::default() };
    let by = By { actor: Actor::System, user_id: None };
    let cancelled = orders::transition(&state.db, order.id, OrderStatus::Cancelled, by, &change, |o| {
        status_mail(o, &state.public_url)
    })
    .await;
    match cancelled {
        // Cancelled by its owner meanwhile: nothing more to say.
        Ok(_) | Err(AppError::Conflict(_)) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

fn clip(note: &str) -> String {
    match note.char_indices().nth(NOTE_MAX_CHARS) {
        Some((end, _)) => format!("{}…", &note[..end]),
        None => note.to_owned(),
    }
}

/// Applies what Lulu says about a print job to our order (its webhooks and the hourly look
/// both come here): a new status moves the order by the state machine as "the printer", with
/// the tracking once shipped and the email to the family. A report the state machine refuses
/// (a repeat, or one that arrives after a later one) changes nothing. Lulu refusing the job
/// or failing to produce it (REJECTED, ERROR) is logged for staff, who fix and send it again
/// or cancel the order. Returns whether the order changed.
pub async fn apply(state: &AppState, order_id: Uuid, update: &JobUpdate) -> Result<bool, AppError> {
    let to = match &update.mapped {
        Mapped::Status(to) => *to,
        Mapped::Waiting | Mapped::Unknown => return Ok(false),
        Mapped::Rejected => {
            tracing::error!(%order_id, lulu_job = update.id, status = %update.status, message = ?update.message,
                "Lulu refused the print job or could not produce it: fix and send it again in Lulu's dashboard, or cancel the order");
            return Ok(false);
        }
    };
    let tracking = update.tracking.clone().unwrap_or_default();
    let note = (to == OrderStatus::Cancelled).then(|| match &update.message {
        Some(message) => clip(&format!("Cancelled at the printer: {message}")),
        None => "Cancelled at the printer.".to_owned(),
    });
    let change = Change {
        note,
        tracking_number: tracking.number,
        carrier: tracking.carrier,
        // Shown as a link: only a web address.
        tracking_url: tracking.url.filter(|url| url.starts_with("https://") || url.starts_with("http://")),
        estimated_delivery: update.estimated_delivery,
    };
    let by = By { actor: Actor::Printer, user_id: None };
    match orders::transition(&state.db, order_id, to, by, &change, |o| status_mail(o, &state.public_url)).await {
        Ok(_) => {
            tracing::info!(%order_id, lulu_job = update.id, status = %update.status, "Lulu moved the order along");
            Ok(true)
        }
        Err(AppError::Conflict(why)) => {
            tracing::debug!(%order_id, lulu_job = update.id, status = %update.status, %why,
                "a repeated or late report from Lulu; nothing changes");
            Ok(false)
        }
        Err(err) => Err(err),
    }
}

/// Applies a report about a job to the order it is for, found by the job's id, or by our
/// order number for a job whose creation answer was lost (the id is recorded then). A job
/// that is none of our orders' is ignored.
pub async fn follow(state: &AppState, update: &JobUpdate) -> Result<bool, AppError> {
    let id = update.id.to_string();
    let found = orders::by_provider_job(&state.db, LULU, &id, update.external_id.as_deref()).await?;
    let Some((order_id, recorded)) = found else {
        tracing::debug!(lulu_job = update.id, external_id = ?update.external_id, "a report about a Lulu job that is none of our orders'");
        return Ok(false);
    };
    if !recorded && orders::set_provider_job(&state.db, order_id, &id).await?.is_some() {
        tracing::info!(%order_id, lulu_job = update.id, "recorded the print job Lulu reported (its creation answer was lost)");
    }
    apply(state, order_id, update).await
}

/// `POST /webhooks/lulu`: 401 for a body without Lulu's signature (nothing changes); else
/// 200, whatever the report (Lulu turns a webhook off after five failed deliveries), unless
/// the database is out of reach (503: Lulu delivers it again).
pub async fn webhook(state: &AppState, signature: Option<&str>, body: &[u8]) -> StatusCode {
    let signed = state.printer.lulu().is_some_and(|lulu| lulu.client().verify_webhook(signature, body));
    if !signed {
        tracing::warn!(signed = signature.is_some(), "refused a Lulu webhook without a valid signature");
        return StatusCode::UNAUTHORIZED;
    }
    let update = match lulu::parse_webhook(body) {
        Ok(Some(update)) => update,
        Ok(None) => return StatusCode::OK,
        Err(why) => {
            tracing::error!(%why, "a signed Lulu webhook could not be read; the hourly look will catch up");
            return StatusCode::OK;
        }
    };
    match follow(state, &update).await {
        Ok(_) => StatusCode::OK,
        Err(err) => StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// Before an order is cancelled here (by its owner or staff, once they may): cancels its
/// print job at Lulu, so nothing prints. Nothing to do for an order Lulu doesn't have or
/// whose job it already cancelled or refused; a conflict once Lulu has started on it (the
/// order isn't cancelled then).
pub async fn cancel_at_printer(state: &AppState, order_id: Uuid) -> Result<(), AppError> {
    let Some(order) = orders::print_order(&state.db, order_id).await? else {
        return Ok(());
    };
    let Some(job_id) = order.provider_job_id.filter(|_| order.provider == LULU) else {
        return Ok(());
    };
    let Some(lulu) = state.printer.lulu() else {
        tracing::error!(%order_id, %job_id, "an order Lulu has can't be cancelled there: MSF_PRINT_PROVIDER is not lulu");
        return Err(AppError::Conflict(
            "This order is with the printer, which can't be reached from here just now. Please write to us to \
             cancel it."
                .into(),
        ));
    };
    let id = job_id.parse::<i64>().map_err(|_| {
        tracing::error!(%order_id, %job_id, "an order's Lulu job id is not a number");
        AppError::Internal
    })?;
    let job = lulu.client().print_job(id).await.map_err(app_error)?;
    match job.mapped {
        Mapped::Status(OrderStatus::Cancelled) | Mapped::Rejected => return Ok(()),
        Mapped::Waiting => {}
        Mapped::Status(_) | Mapped::Unknown => return Err(started()),
    }
    match lulu.client().cancel_print_job(id).await {
        Ok(()) => {
            tracing::info!(%order_id, lulu_job = id, "cancelled the order's print job at Lulu");
            Ok(())
        }
        Err(LuluError::Rejected(why)) => {
            tracing::info!(%order_id, lulu_job = id, %why, "Lulu would not cancel the print job");
            Err(started())
        }
        Err(err) => Err(app_error(err)),
    }
}

fn started() -> AppError {
    AppError::Conflict("The printer has started on this order, so it can no longer be cancelled.".into())
}

/// Asks Lulu about each order it is printing and applies what changed: the safety net for a
/// webhook lost or sent while this server was down. Stops at the first sign Lulu is
/// unreachable (the next look is in an hour). Returns how many orders changed.
pub async fn poll_once(state: &AppState) -> Result<usize> {
    let Some(lulu) = state.printer.lulu() else {
        return Ok(0);
    };
    let mut changed = 0;
    for (order_id, job_id) in orders::jobs_to_follow(&state.db, LULU).await? {
        let Ok(id) = job_id.parse::<i64>() else {
            tracing::warn!(%order_id, %job_id, "an order's Lulu job id is not a number");
            continue;
        };
        match lulu.client().print_job(id).await {
            Ok(update) => changed += usize::from(apply(state, order_id, &update).await?),
            Err(err) if err.is_transient() => {
                tracing::warn!(error = %err, "Lulu can't be reached; its orders are looked at again in an hour");
                break;
            }
            Err(err) => tracing::warn!(%order_id, lulu_job = id, error = %err, "could not ask Lulu about a print job"),
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_notes_are_cut_to_what_the_history_holds() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(3000);
        let cut = clip(&long);
        assert_eq!(cut.chars().count(), NOTE_MAX_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
