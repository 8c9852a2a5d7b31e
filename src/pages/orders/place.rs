//! The order page: choices and address, then the price, then one "Confirm order".
use super::*;

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
pub(super) fn OrderBookView(page: OrderFormPage, flash: Option<Flash>) -> impl IntoView {
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
pub(super) fn ConfirmOrder(
    page: OrderFormPage,
    quote: crate::model::order::Quote,
    flash: Option<Flash>,
) -> impl IntoView {
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
