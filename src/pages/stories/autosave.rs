//! The editor's autosave rules, without signals or timers so they can be unit-tested:
//! each event returns a [`Step`] that the editor carries out (start a timer, keep or drop
//! the browser's copy, take a new version number).
use chrono::{DateTime, Utc};

use crate::error::AppError;
use crate::model::story::SaveOutcome;

pub const AUTOSAVE_AFTER_MS: u64 = 2000;
pub const RETRY_AFTER_MS: u64 = 5000;

#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    Saved(Option<DateTime<Utc>>),
    Unsaved,
    Saving,
    Retrying,
    Invalid(String),
    Conflict { version: i32, title: String, content: String },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DraftAction {
    Keep,
    Drop,
}

/// What the editor must do after an event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Step {
    /// Save after this many milliseconds (replacing any earlier timer); 0 means now.
    pub save_after_ms: Option<u64>,
    pub draft: Option<DraftAction>,
    pub version: Option<i32>,
}

/// A save in flight: which edit it carries and whether it overwrites a newer version.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ticket {
    carried: u64,
    pub overwrite: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Autosave {
    state: SaveState,
    /// Every edit bumps `edits`; a save remembers which edit it carried.
    edits: u64,
    saved_edits: u64,
    in_flight: bool,
    overwrite: bool,
}

impl Default for Autosave {
    fn default() -> Self {
        Self { state: SaveState::Saved(None), edits: 0, saved_edits: 0, in_flight: false, overwrite: false }
    }
}

impl Autosave {
    pub fn state(&self) -> &SaveState {
        &self.state
    }

    fn in_conflict(&self) -> bool {
        matches!(self.state, SaveState::Conflict { .. })
    }

    /// The person typed. While a conflict is open nothing saves until they choose.
    pub fn edit(&mut self) -> Step {
        self.edits += 1;
        let mut step = Step { draft: Some(DraftAction::Keep), ..Step::default() };
        if !self.in_conflict() {
            self.state = SaveState::Unsaved;
            step.save_after_ms = Some(AUTOSAVE_AFTER_MS);
        }
        step
    }

    /// A save may start: one at a time, never during a conflict, never for nothing new.
    pub fn begin(&mut self) -> Option<Ticket> {
        if self.in_flight || self.in_conflict() || (self.edits == self.saved_edits && !self.overwrite) {
            return None;
        }
        self.in_flight = true;
        self.state = SaveState::Saving;
        Some(Ticket { carried: self.edits, overwrite: self.overwrite })
    }

    pub fn finish(&mut self, ticket: Ticket, result: Result<SaveOutcome, AppError>) -> Step {
        self.in_flight = false;
        match result {
            Ok(SaveOutcome::Saved { version, saved_at, .. }) => {
                self.overwrite = false;
                self.saved_edits = ticket.carried;
                if self.edits == ticket.carried {
                    self.state = SaveState::Saved(Some(saved_at));
                    Step { draft: Some(DraftAction::Drop), version: Some(version), ..Step::default() }
                } else {
                    // Typed while this save was on its way: that text still needs saving.
                    self.state = SaveState::Unsaved;
                    Step {
                        save_after_ms: Some(AUTOSAVE_AFTER_MS),
                        draft: Some(DraftAction::Keep),
                        version: Some(version),
                    }
                }
            }
            Ok(SaveOutcome::Conflict { version, title, content, .. }) => {
                self.state = SaveState::Conflict { version, title, content };
                Step::default()
            }
            Err(AppError::Validation(fields)) => {
                self.state = SaveState::Invalid(fields.into_values().collect::<Vec<_>>().join(" "));
                Step::default()
            }
            Err(AppError::Unauthenticated) => {
                self.state = SaveState::Invalid("You have been logged out. Your text is kept in this browser: log in again in another tab, then come back and it will be saved.".into());
                Step { save_after_ms: Some(RETRY_AFTER_MS), ..Step::default() }
            }
            Err(AppError::Forbidden | AppError::NotFound | AppError::Conflict(_)) => {
                self.state = SaveState::Invalid(
                    "This story can no longer be changed by you. Your text is kept in this browser.".into(),
                );
                Step::default()
            }
            Err(_) => {
                self.state = SaveState::Retrying;
                Step { save_after_ms: Some(RETRY_AFTER_MS), ..Step::default() }
            }
        }
    }

    /// "Keep my version": save this text over theirs, now.
    pub fn keep_mine(&mut self) -> Step {
        let SaveState::Conflict { version, .. } = self.state else { return Step::default() };
        self.overwrite = true;
        self.state = SaveState::Unsaved;
        Step { save_after_ms: Some(0), version: Some(version), ..Step::default() }
    }

    /// "Use their version": returns their title and text to put in the fields.
    pub fn take_theirs(&mut self) -> Option<(Step, String, String)> {
        let SaveState::Conflict { version, title, content } =
            std::mem::replace(&mut self.state, SaveState::Saved(None))
        else {
            return None;
        };
        self.saved_edits = self.edits;
        Some((Step { draft: Some(DraftAction::Drop), version: Some(version), ..Step::default() }, title, content))
    }

    /// The Save button: saves now; with nothing new it just confirms the time.
    pub fn submit(&mut self, now: DateTime<Utc>) -> Step {
        if self.edits == self.saved_edits && matches!(self.state, SaveState::Saved(_)) {
            self.state = SaveState::Saved(Some(now));
        }
        Step { save_after_ms: Some(0), ..Step::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn saved(version: i32) -> Result<SaveOutcome, AppError> {
        Ok(SaveOutcome::Saved { version, word_count: 1, saved_at: Utc::now() })
    }

    #[test]
    fn typing_schedules_a_save_and_keeps_a_draft() {
        let mut a = Autosave::default();
        assert_eq!(a.begin(), None, "nothing to save before any edit");
        let step = a.edit();
        assert_eq!(step.save_after_ms, Some(AUTOSAVE_AFTER_MS));
        assert_eq!(step.draft, Some(DraftAction::Keep));
        assert_eq!(a.state(), &SaveState::Unsaved);
    }

    #[test]
    fn a_confirmed_save_drops_the_draft_and_takes_the_new_version() {
        let mut a = Autosave::default();
        a.edit();
        let ticket = a.begin().unwrap();
        assert_eq!(a.state(), &SaveState::Saving);
        let step = a.finish(ticket, saved(2));
        assert_eq!(step.draft, Some(DraftAction::Drop));
        assert_eq!(step.version, Some(2));
        assert!(matches!(a.state(), SaveState::Saved(Some(_))));
        assert_eq!(a.begin(), None, "saved text is not saved again");
    }

    #[test]
    fn only_one_save_at_a_time_and_typing_during_it_is_saved_afterwards() {
        let mut a = Autosave::default();
        a.edit();
        let ticket = a.begin().unwrap();
        a.edit();
        assert_eq!(a.begin(), None, "a second save waits for the first");
        let step = a.finish(ticket, saved(2));
        assert_eq!(step.draft, Some(DraftAction::Keep), "the newer text stays in the browser");
        assert_eq!(step.save_after_ms, Some(AUTOSAVE_AFTER_MS));
        assert_eq!(a.state(), &SaveState::Unsaved);
        assert!(a.begin().is_some());
    }

    #[test]
    fn network_failures_retry_and_keep_the_text() {
        let mut a = Autosave::default();
        a.edit();
        let ticket = a.begin().unwrap();
        let step = a.finish(ticket, Err(AppError::Internal));
        assert_eq!(a.state(), &SaveState::Retrying);
        assert_eq!(step.save_after_ms, Some(RETRY_AFTER_MS));
        assert_eq!(step.draft, None, "the draft from the edit is left alone");
        assert!(a.begin().is_some(), "the retry carries the same edit");
    }

    #[test]
    fn logged_out_retries_but_refusals_and_bad_input_stop() {
        let mut a = Autosave::default();
        a.edit();
        let t = a.begin().unwrap();
        assert_eq!(a.finish(t, Err(AppError::Unauthenticated)).save_after_ms, Some(RETRY_AFTER_MS));
        let t = a.begin().unwrap();
        assert_eq!(a.finish(t, Err(AppError::Forbidden)).save_after_ms, None);
        assert!(matches!(a.state(), SaveState::Invalid(m) if m.contains("kept in this browser")));
        let t = a.begin().unwrap();
        let fields = BTreeMap::from([("title".to_owned(), "Please give the story a title.".to_owned())]);
        a.finish(t, Err(AppError::Validation(fields)));
        assert_eq!(a.state(), &SaveState::Invalid("Please give the story a title.".into()));
    }

    #[test]
    fn a_conflict_waits_for_a_choice_then_keep_mine_overwrites() {
        let mut a = Autosave::default();
        a.edit();
        let t = a.begin().unwrap();
        let conflict = SaveOutcome::Conflict {
            version: 7,
            title: "Theirs".into(),
            content: "Their text".into(),
            saved_at: Utc::now(),
        };
        a.finish(t, Ok(conflict));
        assert!(matches!(a.state(), SaveState::Conflict { version: 7, .. }));
        assert_eq!(a.edit().save_after_ms, None, "typing during a conflict does not save");
        assert_eq!(a.begin(), None);
        let step = a.keep_mine();
        assert_eq!(step, Step { save_after_ms: Some(0), version: Some(7), draft: None });
        let t = a.begin().unwrap();
        assert!(t.overwrite);
        a.finish(t, saved(8));
        a.edit();
        assert!(!a.begin().unwrap().overwrite, "overwrite is for that one save only");
    }

    #[test]
    fn use_theirs_takes_their_text_and_saves_nothing() {
        let mut a = Autosave::default();
        a.edit();
        let t = a.begin().unwrap();
        a.finish(
            t,
            Ok(SaveOutcome::Conflict { version: 3, title: "T".into(), content: "C".into(), saved_at: Utc::now() }),
        );
        let (step, title, content) = a.take_theirs().unwrap();
        assert_eq!((title.as_str(), content.as_str()), ("T", "C"));
        assert_eq!(step.version, Some(3));
        assert_eq!(step.draft, Some(DraftAction::Drop));
        assert_eq!(a.state(), &SaveState::Saved(None));
        assert_eq!(a.begin(), None);
        assert!(a.take_theirs().is_none(), "only during a conflict");
    }

    #[test]
    fn save_button_with_nothing_new_confirms_the_time() {
        let mut a = Autosave::default();
        let now = Utc::now();
        assert_eq!(a.submit(now).save_after_ms, Some(0));
        assert_eq!(a.state(), &SaveState::Saved(Some(now)));
        a.edit();
        a.submit(now);
        assert_eq!(a.state(), &SaveState::Unsaved, "unsaved text is not reported as saved");
    }
}
