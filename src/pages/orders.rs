//! Ordering printed books: the order page (choices and address, then the price from the
//! server, then one "Confirm order"), the person's orders with their timeline, and the staff
//! console. Everything is a plain form, so all of it works without JavaScript: "See the
//! price" is a GET form whose address carries the choices.
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
pub fn OrderBookPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let ids = Memo::new(move |_| {
        let p = params.read();
        (param_id(&p, "id"), param_id(&p, "book"))
    });
    let args = Memo::new(move |_| {
        let q = query.read();
        let field = |name: &str| q.get(name).unwrap_or_default();
        let form = q.get("quantity").map(|_| OrderForm {
            binding: field("binding"),
            interior: field("interior"),
            paper: field("paper"),
            finish: field("finish"),
            quantity: field("quantity"),
            shipping: field("shipping"),
            name: field("name"),
            line1: field("line1"),
            line2: field("line2"),
            city: field("city"),
            state: field("state"),
            postal_code: field("postal_code"),
            country: field("country"),
            phone: field("phone"),
        });
        (form, param_id(&q, "again"))
    });
    let page = Resource::new(
        move || (ids.get(), args.get()),
        |((campaign, book), (form, again))| async move {
            match (campaign, book) {
                (Some(campaign), Some(book)) => order_page(campaign, book, form, again).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    let flash = Resource::new(|| (), |_| take_flash("place_order".into()));
    view! {
        <Title text="Order printed copies · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match page.await {
                        Ok(page) => view! { <OrderBookView page flash/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

/// A labelled `<select>` whose error is announced and tied to it, like [`Field`].
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

#[component]
fn OrderBookView(page: OrderFormPage, flash: Option<Flash>) -> impl IntoView {
    let designer = urls::book(page.campaign_id, page.book_id);
    if let Err(why) = &page.orderable {
        return view! {
            <section class="card narrow">
                <h1>"Order printed copies"</h1>
                <p class="notice">{why.clone()}</p>
                <p><a href=designer>"Back to the book designer"</a></p>
            </section>
        }
        .into_any();
    }
    let errors = page.quote.clone().and_then(Result::err).map(AppError::Validation);
    let error = Signal::stored(errors.clone());
    let f = page.form.clone();
    let action = urls::order_book(page.campaign_id, page.book_id);
    let mut country_options = vec![(String::new(), "Choose a country".to_owned())];
    country_options.extend(countries().into_iter().map(|(code, name)| (code.to_owned(), name.to_owned())));
    let saved = page
        .saved_addresses
        .iter()
        .filter(|a| a.country != page.form.country.to_ascii_uppercase() || **a != page.form.address())
        .map(|a| {
            let mut form = page.form.clone();
            form.name = a.name.clone();
            form.line1 = a.line1.clone();
            form.line2 = a.line2.clone();
            form.city = a.city.clone();
            form.state = a.state.clone();
            form.postal_code = a.postal_code.clone();
            form.country = a.country.clone();
            form.phone = a.phone.clone();
            let href = format!("{action}?{}", form.to_query());
            let text = format!("{}, {}, {}", a.name, a.line1, a.city);
            view! { <li><a href=href>{format!("Send to {text}")}</a></li> }
        })
        .collect::<Vec<_>>();
    let saved = (!saved.is_empty()).then(|| {
        view! {
            <p>"Addresses you used before:"</p>
            <ul class="plain-list">{saved}</ul>
        }
    });
    view! {
        <section class="card narrow" aria-labelledby="order-heading">
            <h1 id="order-heading">"Order printed copies"</h1>
            <p>{format!("“{}”, {} pages, printed from the PDF you checked.", page.book_title, page.page_count)}</p>
            {errors.is_some().then(|| view! {
                <div role="alert" class="form-alert-region"><p class="form-alert">"Please correct the highlighted fields."</p></div>
            })}
            <form method="get" action=action.clone() class="order-form">
                <fieldset>
                    <legend>"The books"</legend>
                    <Choice id="order-binding" name="binding" label="Binding"
                        options=choices(&Binding::ALL, Binding::as_str, Binding::label) current=f.binding.clone() error/>
                    <Choice id="order-interior" name="interior" label="Inside pages"
                        options=choices(&Interior::ALL, Interior::as_str, Interior::label) current=f.interior.clone() error/>
                    <Choice id="order-paper" name="paper" label="Paper"
                        options=choices(&Paper::ALL, Paper::as_str, Paper::label) current=f.paper.clone() error/>
                    <Choice id="order-finish" name="finish" label="Cover finish"
                        options=choices(&Finish::ALL, Finish::as_str, Finish::label) current=f.finish.clone() error/>
                    <Field id="order-quantity" name="quantity" label="Copies" kind="number"
                        hint=format!("1 to {MAX_QUANTITY}.") value=f.quantity.clone() error/>
                </fieldset>
                <fieldset>
                    <legend>"Where they go"</legend>
                    {saved}
                    <Field id="order-name" name="name" label="Recipient's name" autocomplete="name" value=f.name.clone() error/>
                    <Field id="order-line1" name="line1" label="Street address" autocomplete="address-line1"
                        value=f.line1.clone() error/>
                    <Field id="order-line2" name="line2" label="Apartment, suite or building (optional)"
                        autocomplete="address-line2" value=f.line2.clone() error/>
                    <Field id="order-city" name="city" label="Town or city" autocomplete="address-level2"
                        value=f.city.clone() error/>
                    <Field id="order-state" name="state" label="State, province or region" autocomplete="address-level1"
                        hint="Its short code in the US, Canada, Australia and Mexico (e.g. IL); also needed for Brazil and India." value=f.state.clone() error/>
                    <Field id="order-postal-code" name="postal_code" label="Postal code" autocomplete="postal-code"
                        value=f.postal_code.clone() error/>
                    <Choice id="order-country" name="country" label="Country" autocomplete="country"
                        options=country_options current=f.country.to_ascii_uppercase() error/>
                    <Field id="order-phone" name="phone" label="Phone" kind="tel" autocomplete="tel"
                        hint="The carrier calls it only if there is a problem with the delivery." value=f.phone.clone() error/>
                    <Choice id="order-shipping" name="shipping" label="Shipping"
                        options=choices(&ShippingLevel::ALL, ShippingLevel::as_str, ShippingLevel::label)
                        current=f.shipping.clone() error/>
                </fieldset>
                <button type="submit" class="button button--quiet">"See the price"</button>
            </form>
            {page.quote.clone().and_then(Result::ok).map(|quote| view! {
                <ConfirmOrder page=page.clone() quote flash/>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn ConfirmOrder(page: OrderFormPage, quote: crate::model::order::Quote, flash: Option<Flash>) -> impl IntoView {
    let place = ServerAction::<PlaceOrder>::new();
    let error = form_error(place.value(), flash.as_ref());
    let total = quote.total.clone();
    view! {
        <section aria-labelledby="price-heading" class="order-price">
            <h2 id="price-heading">"Price"</h2>
            <table class="price-table">
                <tbody>
                    {quote.lines.into_iter().map(|line| view! {
                        <tr><th scope="row">{line.label}</th><td>{line.amount}</td></tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr><th scope="row">"Total"</th><td>{quote.total.clone()}</td></tr></tfoot>
            </table>
            <p class="aside">"Nothing is charged until you confirm. You can cancel the order until it goes to print."</p>
            <ActionForm action=place>
                <FormAlert error/>
                {hidden("campaign_id", page.campaign_id)}
                {hidden("book_id", page.book_id)}
                {hidden("idempotency_key", page.idempotency_key)}
                {page.form.pairs().into_iter().map(|(name, value)| hidden(name, value.to_owned())).collect_view()}
                <button type="submit" class="button">{format!("Confirm order, {total}")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let orders = Resource::new(Changes::track, |_| my_orders());
    view! {
        <Title text="Your orders · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <section class="card" aria-labelledby="orders-heading">
                <h1 id="orders-heading">"Your orders"</h1>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match orders.await {
                            Ok(list) if list.is_empty() => view! {
                                <p>"No printed books ordered yet. When a book is ready, order it from the book designer."</p>
                            }.into_any(),
                            Ok(list) => view! { <OrderTable list admin=false/> }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        }/>
    }
}

#[component]
fn OrderTable(list: Vec<OrderSummary>, admin: bool) -> impl IntoView {
    view! {
        <table class="orders-table">
            <thead><tr>
                <th scope="col">"Order"</th><th scope="col">"Book"</th><th scope="col">"Copies"</th>
                <th scope="col">"Status"</th><th scope="col">"Total"</th><th scope="col">"Ordered"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|o| {
                    let href = if admin { urls::admin_order(o.id) } else { urls::order(o.id) };
                    view! {
                        <tr>
                            <td><a href=href>{o.order_number}</a></td>
                            <td>{o.book_title}</td>
                            <td>{o.quantity}</td>
                            <td>{o.status.label()}</td>
                            <td>{o.total}</td>
                            <td>{o.ordered_at.format("%-d %b %Y").to_string()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| param_id(&params.read(), "order"));
    let detail = Resource::new(
        move || (id.get(), Changes::track()),
        |(id, _)| async move {
            match id {
                Some(id) => order(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let flash = Resource::new(|| (), |_| take_flash(String::new()));
    view! {
        <Title text="Your order · MyStoryFlow"/>
        <RequireUser children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match detail.await {
                        Ok(order) => view! { <OrderView order admin=false flash/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn OrderView(order: OrderDetail, admin: bool, flash: Option<Flash>) -> impl IntoView {
    let s = order.summary.clone();
    let a = order.address.clone();
    let o = order.options;
    let country = country_name(&a.country).unwrap_or(&a.country).to_owned();
    let address = [
        a.name.clone(),
        a.line1.clone(),
        a.line2.clone(),
        a.city.clone(),
        a.state.clone(),
        a.postal_code.clone(),
        country,
    ]
    .into_iter()
    .filter(|l| !l.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let tracking = order.tracking_number.clone().map(|number| {
        let carrier = order.carrier.clone().map(|c| format!(" ({c})")).unwrap_or_default();
        view! {
            <p>{format!("Tracking number{carrier}: {number}")}</p>
            {order.tracking_url.clone().map(|url| view! {
                <p><a href=url rel="noopener noreferrer" target="_blank">"Track the parcel"</a></p>
            })}
            {order.estimated_delivery.map(|d| view! { <p>{format!("Expected by {}.", d.format("%A %-d %B %Y"))}</p> })}
        }
    });
    let again = (!admin)
        .then(|| order.campaign_id.zip(order.book_id))
        .flatten()
        .map(|(c, b)| format!("{}?again={}", urls::order_book(c, b), s.id));
    let cancel = (!admin && order.may_cancel).then(|| {
        let action = ServerAction::<CancelOrder>::new();
        view! {
            <PostForm action>
                {hidden("order_id", s.id)}
                <button type="submit" class="button button--danger">"Cancel this order"</button>
            </PostForm>
        }
    });
    let staff = admin.then(|| view! { <StaffActions order=order.clone() flash=flash.clone()/> });
    let other_error = (!admin).then(|| flash.map(|f| f.error)).flatten();
    view! {
        <section class="card" aria-labelledby="order-heading">
            <h1 id="order-heading">{format!("Order {}", s.order_number)}</h1>
            {other_error.map(|e| view! { <div role="alert"><p class="form-alert">{e.to_string()}</p></div> })}
            <p class="order-status">{format!("Status: {}", s.status.label())}</p>
            {order.waiting_for_printer.then(|| view! {
                <p class="order-waiting">"Waiting for the printer: the book's files are on their way to be checked. \
                    This page changes when the printer takes the order."</p>
            })}
            {tracking}
            <dl class="order-facts">
                <dt>"Book"</dt><dd>{s.book_title.clone()}</dd>
                <dt>"Copies"</dt><dd>{s.quantity}</dd>
                <dt>"Printed as"</dt>
                <dd>{format!("{}, {} pages, {}, {} cover", o.binding.label(), o.interior.label().to_lowercase(),
                    o.paper.label().to_lowercase(), o.finish.label().to_lowercase())}</dd>
                <dt>"Shipping"</dt><dd>{o.shipping.label()}</dd>
                <dt>"Ship to"</dt><dd>{address}</dd>
                {admin.then(|| view! {
                    <dt>"Phone"</dt><dd>{a.phone.clone()}</dd>
                    <dt>"Customer email"</dt><dd>{order.contact_email.clone().unwrap_or_else(|| "(account deleted)".into())}</dd>
                })}
            </dl>
            <h2>"Price"</h2>
            <table class="price-table">
                <tbody>
                    {order.price.lines.iter().map(|line| view! {
                        <tr><th scope="row">{line.label.clone()}</th><td>{line.amount.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr><th scope="row">"Total"</th><td>{order.price.total.clone()}</td></tr></tfoot>
            </table>
            <h2 id="timeline-heading">"Timeline"</h2>
            <ol class="timeline" aria-labelledby="timeline-heading">
                {order.events.iter().map(|e| view! {
                    <li>
                        <time datetime=e.at.to_rfc3339()>{e.at.format("%-d %b %Y, %H:%M UTC").to_string()}</time>
                        " · "<strong>{e.to.label()}</strong>" · "{e.actor.label()}
                        {e.note.clone().map(|n| view! { <p class="aside">{n}</p> })}
                    </li>
                }).collect_view()}
            </ol>
            <h2>"The files that print"</h2>
            <ul>
                <li><a href=order.interior_url.clone()>"Inside pages (PDF)"</a></li>
                <li><a href=order.cover_url.clone()>"Cover (PDF)"</a></li>
            </ul>
            {cancel}
            {again.map(|href| view! { <p><a class="button button--quiet" href=href>"Order again"</a></p> })}
            {staff}
            <p><a href=if admin { urls::ADMIN_ORDERS } else { urls::ORDERS }>
                {if admin { "All orders" } else { "All your orders" }}
            </a></p>
        </section>
    }
}

#[component]
fn StaffActions(order: OrderDetail, flash: Option<Flash>) -> impl IntoView {
    let advance = ServerAction::<AdvanceOrder>::new();
    let error = form_error(advance.value(), flash.as_ref());
    let id = order.summary.id;
    let status = order.summary.status;
    let typed = move |name: &str| flash.as_ref().and_then(|f| f.value(name)).unwrap_or_default();
    let next = status.next().map(|next| {
        let shipping = (next == OrderStatus::Shipped).then(|| view! {
            <Field id="staff-tracking" name="tracking_number" label="Tracking number" value=typed("tracking_number") error/>
            <Field id="staff-carrier" name="carrier" label="Carrier" value=typed("carrier") error/>
            <Field id="staff-tracking-url" name="tracking_url" label="Tracking address" kind="url"
                value=typed("tracking_url") error/>
            <Field id="staff-eta" name="estimated_delivery" label="Expected delivery" kind="date"
                value=typed("estimated_delivery") error/>
        });
        view! {
            <PostForm action=advance alert=false>
                <FormAlert error/>
                {hidden("order_id", id)}
                {hidden("to", next.as_str())}
                {shipping}
                <Field id="staff-note" name="note" label="Note for the history (optional)" error/>
                <button type="submit" class="button">{format!("Mark as {}", next.label().to_lowercase())}</button>
            </PostForm>
        }
    });
    let cancel = matches!(status, OrderStatus::Pending | OrderStatus::Processing).then(|| {
        let cancel = ServerAction::<AdvanceOrder>::new();
        let error = form_error(cancel.value(), None);
        view! {
            <PostForm action=cancel alert=false>
                <FormAlert error/>
                {hidden("order_id", id)}
                {hidden("to", OrderStatus::Cancelled.as_str())}
                <Field id="staff-cancel-reason" name="note" label="Reason for cancelling" error/>
                <button type="submit" class="button button--danger">"Cancel order"</button>
            </PostForm>
        }
    });
    view! {
        <section aria-labelledby="staff-heading" class="staff-actions">
            <h2 id="staff-heading">"Fulfilment"</h2>
            {next}
            {cancel}
        </section>
    }
}

#[component]
pub fn AdminOrdersPage() -> impl IntoView {
    let query = use_query_map();
    let status = Memo::new(move |_| query.read().get("status").unwrap_or_default());
    let orders = Resource::new(move || (status.get(), Changes::track()), |(status, _)| admin_orders(status));
    view! {
        <Title text="Orders to fulfil · MyStoryFlow"/>
                    <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Ok(list) => view! { <AdminOrdersView list status=status.get_untracked()/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
    }
}

#[component]
fn AdminOrdersView(list: Vec<OrderSummary>, status: String) -> impl IntoView {
    let mut options = vec![(String::new(), "Every status".to_owned())];
    options.extend(OrderStatus::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())));
    view! {
        <section class="card" aria-labelledby="admin-orders-heading">
            <h1 id="admin-orders-heading">"Orders to fulfil"</h1>
            <form method="get" action=urls::ADMIN_ORDERS class="inline-form">
                <Choice id="admin-status" name="status" label="Status" options current=status error=Signal::stored(None)/>
                <button type="submit" class="button button--quiet">"Show"</button>
            </form>
            {if list.is_empty() {
                view! { <p>"No orders."</p> }.into_any()
            } else {
                view! { <OrderTable list admin=true/> }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn AdminOrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| param_id(&params.read(), "order"));
    let detail = Resource::new(
        move || (id.get(), Changes::track()),
        |(id, _)| async move {
            match id {
                Some(id) => admin_order(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let flash = Resource::new(|| (), |_| take_flash("advance_order".into()));
    view! {
        <Title text="Order · MyStoryFlow staff"/>
                    <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let flash = flash.await.ok().flatten();
                    match detail.await {
                        Ok(order) => view! { <OrderView order admin=true flash/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
    }
}
