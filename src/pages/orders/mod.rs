//! Ordering printed books: the order page (choices and address, then the price from the
//! server, then one "Confirm order"), the person's orders with their timeline, and the staff
//! console. Everything is a plain form, so all of it works without JavaScript: "See the
//! price" is a GET form whose address carries the choices.
mod history;
mod place;
mod staff;

pub use history::{OrderPage, OrdersPage};
pub use place::OrderBookPage;
pub use staff::{AdminOrderPage, AdminOrdersPage};

use history::{OrderTable, OrderView};
use staff::StaffActions;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::api::auth::take_flash;
use crate::api::orders::{
    admin_order, admin_orders, my_orders, order, order_page, AdvanceOrder, CancelOrder, PlaceOrder,
};
use crate::components::forms::{form_error, hidden, Changes, Field, FormAlert, PostForm};
use crate::components::{error_panel::ErrorPanel, require_user::RequireUser};
use crate::error::AppError;
use crate::model::book::{Binding, Paper};
use crate::model::order::{
    countries, country_name, Finish, Interior, OrderDetail, OrderForm, OrderFormPage, OrderStatus, OrderSummary,
    ShippingLevel, MAX_QUANTITY,
};
use crate::model::Flash;
use crate::urls;

fn param_id(map: &leptos_router::params::ParamsMap, key: &str) -> Option<Uuid> {
    map.get(key).and_then(|v| Uuid::parse_str(&v).ok())
}

#[component]
fn Choice(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    current: String,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field(name));
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field" class:field--invalid=move || message().is_some()>
            <label for=id>{label}</label>
            <select id=id name=name autocomplete=autocomplete
                aria-invalid=move || message().map(|_| "true")
                aria-describedby=move || message().map(|_| described.clone())>
                {options.into_iter().map(|(value, text)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
            {move || message().map(|m| view! { <p class="field__error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

fn choices<T: Copy>(all: &[T], value: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (value(*v).to_owned(), label(*v).to_owned())).collect()
}
