//! A person's orders and one order with its timeline (staff see the same page).
use super::*;

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
pub(super) fn OrderTable(list: Vec<OrderSummary>, admin: bool) -> impl IntoView {
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
pub(super) fn OrderView(order: OrderDetail, admin: bool, flash: Option<Flash>) -> impl IntoView {
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
