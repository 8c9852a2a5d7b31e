//! Following a background job (a transcription, a book render, a download being made) from
//! the page: ask the server every so often, one question at a time, until the answer says
//! the job is over. Browser only; without JavaScript each page offers a button instead.
#![cfg(feature = "hydrate")]
use std::future::Future;
use std::time::Duration;

use leptos::prelude::*;

/// Calls `ask` every `every` while the component lives (never two at once); each answer
/// goes to `update`, which returns true when the job is over, and then asking stops. A failed
/// question (`None`) is simply asked again next time.
pub fn follow<T, Ask, Fut, Update>(every: Duration, ask: Ask, update: Update)
where
    T: 'static,
    Ask: Fn() -> Fut + Copy + 'static,
    Fut: Future<Output = Option<T>> + 'static,
    Update: Fn(T) -> bool + Copy + 'static,
{
    let handle = StoredValue::new(None::<IntervalHandle>);
    let asking = StoredValue::new(false);
    let stop = move || {
        if let Some(Some(h)) = handle.try_get_value() {
            h.clear();
        }
    };
    let tick = move || {
        if asking.get_value() {
            return;
        }
        asking.set_value(true);
        leptos::task::spawn_local(async move {
            let answer = ask().await;
            let _ = asking.try_update_value(|a| *a = false);
            if answer.is_some_and(update) {
                stop();
            }
        });
    };
    handle.set_value(set_interval_with_handle(tick, every).ok());
    on_cleanup(stop);
}
