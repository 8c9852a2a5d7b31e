//! The staff console: every order by status, and moving one along.
use super::*;

#[component]
pub(super) fn StaffActions(order: OrderDetail, flash: Option<Flash>) -> impl IntoView {
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
pub(super) fn AdminOrdersView(list: Vec<OrderSummary>, status: String) -> impl IntoView {
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
