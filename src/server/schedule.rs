//! The weekly question: when the next one goes (in the storyteller's time zone, across
//! daylight-saving changes), and the loop that sends it and the one reminder. Every step
//! takes `now`, so tests drive the clock; the database's unique slot keeps two loops (or two
//! instances) from sending twice. Also the hourly look at the orders Lulu is printing.
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Datelike, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::db::{schedules, Db};
use super::orders::fulfil;
use super::signing::Signer;
use super::state::AppState;
use super::storyteller_mail;
use crate::error::AppError;

/// A checked schedule: the zone is a real IANA zone, the weekday ISO, the time HH:MM.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slot {
    pub weekday: Weekday,
    pub time: NaiveTime,
    pub zone: Tz,
}

impl Slot {
    pub fn parse(weekday: &str, time: &str, zone: &str) -> Result<Self, AppError> {
        let weekday = match weekday.trim().parse::<u8>() {
            Ok(n @ 1..=7) => {
                Weekday::try_from(n - 1).map_err(|_| AppError::invalid("weekday", "Please choose a day."))?
            }
            _ => return Err(AppError::invalid("weekday", "Please choose a day.")),
        };
        let time = NaiveTime::parse_from_str(time.trim(), "%H:%M")
            .map_err(|_| AppError::invalid("time", "Please give a time such as 09:30."))?;
        let zone = zone.trim().parse::<Tz>().map_err(|_| {
            AppError::invalid("time_zone", "Please choose a time zone from the list, such as Europe/London.")
        })?;
        Ok(Slot { weekday, time, zone })
    }

    /// The first slot strictly after `after`. A time that a spring-forward change skips is
    /// sent an hour later that day; a time that happens twice is sent the first time.
    pub fn next_after(&self, after: DateTime<Utc>) -> DateTime<Utc> {
        let mut day = after.with_timezone(&self.zone).date_naive();
        loop {
            if day.weekday() == self.weekday {
                let local = day.and_time(self.time);
                let at = self
                    .zone
                    .from_local_datetime(&local)
                    .earliest()
                    .or_else(|| self.zone.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest());
                if let Some(at) = at.map(|at| at.with_timezone(&Utc)).filter(|at| *at > after) {
                    return at;
                }
            }
            day = day.succ_opt().expect("dates this near are valid");
        }
    }

    /// "Sunday 15 February at 09:00", in the storyteller's time.
    pub fn describe(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.zone).format("%A %-d %B at %H:%M").to_string()
    }
}

/// One pass: sends the question of every slot that is due, then the reminders that are due.
/// Returns how many questions and reminders were queued.
/// `replies` (REPLY_ADDRESS is set): the emails invite a reply and carry the reply key.
pub async fn run_once(
    db: &Db,
    signer: &Signer,
    public_url: &str,
    now: DateTime<Utc>,
    replies: bool,
) -> Result<(usize, usize)> {
    let mut sent = 0;
    for due in schedules::due(db, now).await? {
        let Ok(slot) = Slot::parse(&due.weekday.to_string(), &due.time, &due.time_zone) else {
            tracing::error!(campaign = %due.campaign_id, zone = %due.time_zone, "a schedule with a time zone we no longer know");
            continue;
        };
        let next = slot.next_after(due.slot_at.max(now));
        let delivered = schedules::deliver(db, due.campaign_id, due.slot_at, next, now, |question, link_id| {
            storyteller_mail::question(
                public_url,
                &signer.storyteller_token(link_id),
                replies.then(|| signer.reply_key(question.id)),
                question,
            )
        })
        .await?;
        sent += usize::from(delivered);
    }
    let reminded = schedules::remind(db, now, |question, link_id| {
        storyteller_mail::reminder(
            public_url,
            &signer.storyteller_token(link_id),
            replies.then(|| signer.reply_key(question.id)),
            question,
        )
    })
    .await?;
    Ok((sent, reminded))
}

pub async fn run_worker(db: Db, signer: Signer, public_url: String, replies: bool) {
    loop {
        if let Err(err) = run_once(&db, &signer, &public_url, Utc::now(), replies).await {
            tracing::error!(error = %format!("{err:#}"), "weekly questions");
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
}

/// How often Lulu is asked about the orders it is printing. Its webhooks report sooner; this
/// catches one that was lost or sent while the server was down (and runs once at start-up).
pub const PRINT_POLL_EVERY: Duration = Duration::from_secs(3600);

/// Every [`PRINT_POLL_EVERY`], [`fulfil::poll_once`]. Two instances both looking change
/// nothing twice: the order's state machine refuses a repeated step.
pub async fn run_print_poll(state: AppState) {
    loop {
        match fulfil::poll_once(&state).await {
            Ok(0) => {}
            Ok(changed) => tracing::info!(changed, "orders moved along by the hourly look at Lulu"),
            Err(err) => tracing::error!(error = %format!("{err:#}"), "the hourly look at Lulu's print jobs"),
        }
        tokio::time::sleep(PRINT_POLL_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn one_slot_a_week_at_the_same_local_time_across_daylight_saving() {
        let slot = Slot::parse("7", "09:00", "America/New_York").unwrap();
        let mut at = utc("2026-02-10T00:00:00Z");
        let mut seen = Vec::new();
        for _ in 0..8 {
            at = slot.next_after(at);
            seen.push(at);
        }
        for at in &seen {
            let local = at.with_timezone(&slot.zone);
            assert_eq!((local.weekday(), local.format("%H:%M").to_string()), (Weekday::Sun, "09:00".into()));
        }
        // 14:00 UTC before the change on 8 March, 13:00 after.
        assert_eq!(seen[0], utc("2026-02-15T14:00:00Z"));
        assert_eq!(seen[3], utc("2026-03-08T13:00:00Z"));
        assert_eq!(seen[7], utc("2026-04-05T13:00:00Z"));
    }

    #[test]
    fn a_skipped_local_time_goes_an_hour_later_and_a_repeated_one_goes_once() {
        let gap = Slot::parse("7", "02:30", "America/New_York").unwrap();
        assert_eq!(gap.next_after(utc("2026-03-07T00:00:00Z")), utc("2026-03-08T07:30:00Z")); // 03:30 EDT
        let twice = Slot::parse("7", "01:30", "America/New_York").unwrap();
        let first = twice.next_after(utc("2026-10-31T00:00:00Z"));
        assert_eq!(first, utc("2026-11-01T05:30:00Z")); // 01:30 EDT, not 01:30 EST
        assert_eq!(twice.next_after(first), utc("2026-11-08T06:30:00Z"));
    }

    #[test]
    fn bad_schedules_are_refused_with_a_reason() {
        assert!(Slot::parse("0", "09:00", "Europe/London").unwrap_err().field("weekday").is_some());
        assert!(Slot::parse("1", "25:00", "Europe/London").unwrap_err().field("time").is_some());
        assert!(Slot::parse("1", "09:00", "Mars/Olympus").unwrap_err().field("time_zone").is_some());
        assert_eq!(Slot::parse("1", "09:00", " Europe/London ").unwrap().weekday, Weekday::Mon);
    }
}
