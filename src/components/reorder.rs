//! Reordering a list by dragging its rows (HTML drag and drop, mouse and touch-pad). The
//! rows' Move up / Move down buttons do the same with the keyboard and without JavaScript.
use leptos::ev::DragEvent;
use leptos::prelude::*;
use uuid::Uuid;

use super::forms::Changes;

/// The drag in progress over one list: which row is dragged, and where it would land.
#[derive(Clone, Copy)]
pub struct Reorder {
    dragged: RwSignal<Option<(Uuid, usize)>>,
    /// The row under the pointer, and whether the dragged row would go after it.
    over: RwSignal<Option<(usize, bool)>>,
}

impl Default for Reorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Reorder {
    pub fn new() -> Self {
        Reorder { dragged: RwSignal::new(None), over: RwSignal::new(None) }
    }

    pub fn start(self, ev: &DragEvent, id: Uuid, index: usize) {
        self.dragged.set(Some((id, index)));
        #[cfg(feature = "hydrate")]
        if let Some(transfer) = ev.data_transfer() {
            transfer.set_effect_allowed("move");
            // Firefox starts a drag only when it carries data.
            let _ = transfer.set_data("text/plain", &id.to_string());
        }
        let _ = ev;
    }

    pub fn over(self, ev: &DragEvent, index: usize) {
        let Some((_, from)) = self.dragged.get_untracked() else { return };
        ev.prevent_default();
        let after = lower_half(ev);
        let target = (index != from).then_some((index, after));
        if self.over.get_untracked() != target {
            self.over.set(target);
        }
    }

    /// Drops the dragged row where it hovers; `save(story, position)` stores the new order,
    /// then the page loads its data again.
    pub fn drop<F, Fut>(self, ev: &DragEvent, save: F)
    where
        F: FnOnce(Uuid, i32) -> Fut + 'static,
        Fut: std::future::Future<Output = Result<(), crate::error::AppError>> + 'static,
    {
        ev.prevent_default();
        let (dragged, over) = (self.dragged.get_untracked(), self.over.get_untracked());
        self.end();
        let (Some((id, from)), Some((index, after))) = (dragged, over) else { return };
        let position = landing(from, index, after);
        if position == from {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Err(err) = save(id, position as i32).await {
                leptos::logging::warn!("the story could not be moved: {err}");
            }
            Changes::notify();
        });
    }

    pub fn end(self) {
        self.dragged.set(None);
        self.over.set(None);
    }

    pub fn is_dragged(self, index: usize) -> bool {
        self.dragged.with(|d| d.is_some_and(|(_, i)| i == index))
    }

    /// "before" or "after" when the dragged row would land next to row `index`.
    pub fn marker(self, index: usize) -> Option<&'static str> {
        self.over.with(|o| match o {
            Some((i, after)) if *i == index => Some(if *after { "after" } else { "before" }),
            _ => None,
        })
    }
}

/// The dragged row's new index when it is dropped before (or after) row `over`.
fn landing(from: usize, over: usize, after: bool) -> usize {
    let to = over + usize::from(after);
    if from < to {
        to - 1
    } else {
        to
    }
}

fn lower_half(ev: &DragEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(row) = ev.current_target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()) {
            let box_ = row.get_bounding_client_rect();
            return f64::from(ev.client_y()) > box_.top() + box_.height() / 2.0;
        }
    }
    let _ = ev;
    false
}

#[cfg(test)]
mod tests {
    use super::landing;

    #[test]
    fn a_row_lands_where_it_is_dropped() {
        // Rows 0..4; dragging row 3 before row 0 makes it first.
        assert_eq!(landing(3, 0, false), 0);
        // Dragging row 0 after row 3 makes it last.
        assert_eq!(landing(0, 3, true), 3);
        // Dragging row 0 before row 2 puts it between rows 1 and 2.
        assert_eq!(landing(0, 2, false), 1);
        // Dropping a row next to itself moves nothing.
        assert_eq!(landing(1, 2, false), 1);
        assert_eq!(landing(2, 1, true), 2);
    }
}
