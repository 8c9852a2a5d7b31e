//! Prices with shipping and tax.
use super::*;

/// Print-Job-cost-calculations_create's example answer, for one line.
fn cost_answer() -> Value {
    json!({
        "currency": "USD",
        "fees": [{"currency": "USD", "fee_type": "FULFILLMENT_FEE", "sku": "FULFILLMENT_FEE", "tax_rate": "0.060000",
                  "total_cost_excl_tax": "0.75", "total_cost_incl_tax": "0.80", "total_tax": "0.05"}],
        "fulfillment_cost": {"tax_rate": "0.06", "total_cost_excl_tax": "0.75", "total_cost_incl_tax": "0.80", "total_tax": "0.05"},
        "line_item_costs": [{
            "cost_excl_discounts": "2.55", "discounts": [], "quantity": 20, "tax_rate": "0.060000",
            "total_cost_excl_discounts": "51.00", "total_cost_excl_tax": "51.00",
            "total_cost_incl_tax": "54.06", "total_tax": "3.06", "unit_tier_cost": null
        }],
        "shipping_address": {"city": "Washington", "country_code": "US", "postcode": "20540", "state_code": "DC",
                             "street1": "101 Independence Ave SE", "phone_number": "+1 206 555 0100", "warnings": []},
        "shipping_cost": {"tax_rate": "0.06", "total_cost_excl_tax": "318.44", "total_cost_incl_tax": "337.55", "total_tax": "19.11"},
        "total_cost_excl_tax": "370.19",
        "total_cost_incl_tax": "392.41",
        "total_discount_amount": "0.00",
        "total_tax": "22.22"
    })
}

#[tokio::test]
async fn a_cost_is_exact_and_reused_for_the_same_request() {
    let server = MockServer::start().await;
    token_mock("t1", 3600).expect(1).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/print-job-cost-calculations/"))
        .and(bearer("t1"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "line_items": [{"page_count": 120, "pod_package_id": POD, "quantity": 20}],
            "shipping_address": {
                "street1": "101 Independence Ave SE", "street2": "Flat 2", "city": "Washington",
                "state_code": "DC", "country_code": "US", "postcode": "20540", "phone_number": "+1 206 555 0100"
            },
            "shipping_option": "EXPRESS"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(cost_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let lulu = lulu(&server);
    let cost = lulu.cost(&options(), TrimSize::Trade6x9, 120, &address()).await.unwrap();
    assert_eq!(
        cost,
        Cost {
            currency: "USD".into(),
            quantity: 20,
            unit: d("2.55"),
            printing: d("51.00"),
            shipping: d("318.44"),
            fees: d("0.75"),
            tax: d("22.22"),
            total: d("392.41"),
        }
    );
    assert_eq!(lulu.cost(&options(), TrimSize::Trade6x9, 120, &address()).await.unwrap(), cost);

    let priced = cost.priced();
    assert_eq!(
        (priced.printing, priced.shipping, priced.tax, priced.total),
        (d("51.00"), d("319.19"), Some(d("22.22")), d("392.41"))
    );
    assert_eq!(priced.printing + priced.shipping + priced.tax.unwrap_or_default(), priced.total);
    let quote = priced.quote(&options(), "US");
    assert_eq!(quote.lines[0].label, "Printing: 20 × $2.55");
    assert_eq!(quote.lines[2].amount, "$22.22");
    assert_eq!(quote.total, "$392.41");
}

#[tokio::test]
async fn a_discounted_line_is_priced_per_copy_after_the_discount() {
    let answer = json!({
        "currency": "EUR",
        "line_item_costs": [{"cost_excl_discounts": "1.48", "cost_excl_tax": "0.74", "quantity": 20,
                             "total_cost_excl_discounts": "29.60", "total_cost_excl_tax": "14.80",
                             "total_cost_incl_tax": "15.84", "total_tax": "1.04", "discounts": []}],
        "shipping_cost": {"total_cost_excl_tax": "65.99", "total_cost_incl_tax": "70.61", "total_tax": "4.62"},
        "total_cost_excl_tax": "80.79", "total_cost_incl_tax": "86.45", "total_tax": "5.66"
    });
    let cost = serde_json::from_value::<CostJson>(answer).unwrap().into_cost(20).unwrap();
    assert_eq!((cost.unit, cost.fees, cost.currency.as_str()), (d("0.74"), d("0.00"), "EUR"));
}
