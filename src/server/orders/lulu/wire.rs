//! Lulu's JSON: the requests we send and the answers we read (serde types; every field Lulu
//! may leave out or null is optional).
use super::*;

// ---- What we send ----

#[derive(Serialize)]
pub(super) struct AddressJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<&'a str>,
    pub(super) street1: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub(super) street2: &'a str,
    pub(super) city: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub(super) state_code: &'a str,
    pub(super) country_code: &'a str,
    pub(super) postcode: &'a str,
    pub(super) phone_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) email: Option<&'a str>,
}

impl<'a> AddressJson<'a> {
    pub(super) fn new(address: &'a ShippingAddress, name: Option<&'a str>, email: Option<&'a str>) -> Self {
        AddressJson {
            name,
            street1: &address.line1,
            street2: &address.line2,
            city: &address.city,
            state_code: &address.state,
            country_code: &address.country,
            postcode: &address.postal_code,
            phone_number: &address.phone,
            email,
        }
    }
}

#[derive(Serialize)]
pub(super) struct CostRequest<'a> {
    pub(super) line_items: [CostLine<'a>; 1],
    pub(super) shipping_address: AddressJson<'a>,
    pub(super) shipping_option: &'a str,
}

#[derive(Serialize)]
pub(super) struct CostLine<'a> {
    pub(super) page_count: i32,
    pub(super) pod_package_id: &'a str,
    pub(super) quantity: i32,
}

#[derive(Serialize)]
pub(super) struct JobRequest<'a> {
    pub(super) contact_email: &'a str,
    pub(super) external_id: &'a str,
    pub(super) line_items: [JobLine<'a>; 1],
    pub(super) shipping_address: AddressJson<'a>,
    pub(super) shipping_level: &'a str,
}

#[derive(Serialize)]
pub(super) struct JobLine<'a> {
    pub(super) external_id: &'a str,
    pub(super) title: &'a str,
    pub(super) quantity: i32,
    pub(super) printable_normalization: Normalization<'a>,
}

#[derive(Serialize)]
pub(super) struct Normalization<'a> {
    pub(super) cover: Source<'a>,
    pub(super) interior: Source<'a>,
    pub(super) pod_package_id: &'a str,
}

#[derive(Serialize)]
pub(super) struct Source<'a> {
    pub(super) source_url: &'a str,
}

// ---- What Lulu answers (every field Lulu may leave out or null is optional) ----

#[derive(Deserialize)]
pub(super) struct CostJson {
    pub(super) currency: String,
    pub(super) total_cost_excl_tax: Decimal,
    pub(super) total_cost_incl_tax: Decimal,
    pub(super) total_tax: Decimal,
    #[serde(default)]
    pub(super) line_item_costs: Option<Vec<LineCostJson>>,
    #[serde(default)]
    pub(super) shipping_cost: Option<PartCostJson>,
}

#[derive(Deserialize)]
pub(super) struct LineCostJson {
    /// Per copy, after discounts (not in every answer).
    #[serde(default)]
    pub(super) cost_excl_tax: Option<Decimal>,
    pub(super) total_cost_excl_tax: Decimal,
}

#[derive(Deserialize)]
pub(super) struct PartCostJson {
    pub(super) total_cost_excl_tax: Decimal,
}

impl CostJson {
    pub(super) fn into_cost(self, quantity: i32) -> Result<Cost, LuluError> {
        let currency = self.currency.trim().to_ascii_uppercase();
        let lines = self.line_item_costs.unwrap_or_default();
        if currency.len() != 3 || lines.is_empty() {
            return Err(LuluError::Transient("Lulu's price had no currency or no printing cost".into()));
        }
        let printing: Decimal = lines.iter().map(|line| line.total_cost_excl_tax).sum();
        let shipping = self.shipping_cost.map(|s| s.total_cost_excl_tax).unwrap_or_default();
        let fees = self.total_cost_excl_tax - printing - shipping;
        let unit = match lines.as_slice() {
            [line] => line.cost_excl_tax,
            _ => None,
        }
        .unwrap_or_else(|| {
            (printing / Decimal::from(quantity.max(1)))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        });
        let cost = Cost {
            currency,
            quantity,
            unit,
            printing,
            shipping,
            fees,
            tax: self.total_tax,
            total: self.total_cost_incl_tax,
        };
        if fees.is_sign_negative() || cost.printing + cost.shipping + cost.fees + cost.tax != cost.total {
            tracing::warn!(?cost, "Lulu's price lines don't add up to its total");
        }
        Ok(cost)
    }
}

#[derive(Deserialize)]
pub(super) struct ValidationJson {
    pub(super) id: i64,
    #[serde(default)]
    pub(super) status: Option<String>,
    #[serde(default)]
    pub(super) errors: Option<Value>,
}

impl ValidationJson {
    pub(super) fn reasons(&self, file: &str) -> Vec<String> {
        let mut reasons = Vec::new();
        if let Some(errors) = &self.errors {
            describe(errors, &mut Vec::new(), &mut reasons);
        }
        if reasons.is_empty() {
            reasons.push(format!("Lulu can't use the {file} file and gave no reason."));
        }
        reasons
    }
}

#[derive(Deserialize)]
pub(super) struct JobList {
    #[serde(default)]
    pub(super) results: Option<Vec<JobJson>>,
}

#[derive(Deserialize)]
pub(super) struct StatusJson {
    pub(super) name: String,
    #[serde(default)]
    pub(super) message: Option<String>,
    #[serde(default)]
    pub(super) changed: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct JobJson {
    pub(super) id: i64,
    #[serde(default)]
    pub(super) external_id: Option<String>,
    pub(super) status: StatusJson,
    #[serde(default)]
    pub(super) line_items: Option<Vec<JobLineJson>>,
    #[serde(default)]
    pub(super) estimated_shipping_dates: Option<DatesJson>,
}

#[derive(Deserialize)]
pub(super) struct JobLineJson {
    #[serde(default)]
    pub(super) tracking_id: Option<String>,
    #[serde(default)]
    pub(super) tracking_urls: Option<Value>,
    #[serde(default)]
    pub(super) carrier_name: Option<String>,
    #[serde(default)]
    pub(super) status: Option<LineStatusJson>,
}

#[derive(Deserialize)]
pub(super) struct LineStatusJson {
    /// A map of messages and data; tracking fields appear here too ("Shipping Notification").
    #[serde(default)]
    pub(super) messages: Option<Value>,
}

#[derive(Deserialize)]
pub(super) struct DatesJson {
    #[serde(default)]
    pub(super) arrival_max: Option<String>,
}

/// A URL, or the first of a list of them.
pub(super) fn first_url(value: Option<&Value>) -> Option<String> {
    let url = match value? {
        Value::String(url) => Some(url.as_str()),
        Value::Array(urls) => urls.iter().find_map(Value::as_str),
        _ => None,
    };
    url.map(str::trim).filter(|url| !url.is_empty()).map(str::to_owned)
}

pub(super) fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

pub(super) fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl JobJson {
    pub(super) fn into_update(self) -> JobUpdate {
        let mut words: Vec<String> = non_empty(self.status.message.clone()).into_iter().collect();
        let mut tracking = None;
        for line in self.line_items.unwrap_or_default() {
            let messages = line.status.and_then(|s| s.messages).unwrap_or(Value::Null);
            words.extend(text(messages.get("error")));
            if let Some(files) = messages.get("printable_normalization") {
                for (file, label) in [("interior", "Interior"), ("cover", "Cover")] {
                    let mut said = Vec::new();
                    if let Some(value) = files.get(file) {
                        describe(value, &mut Vec::new(), &mut said);
                    }
                    words.extend(said.into_iter().map(|s| format!("{label}: {s}")));
                }
            }
            let found = Tracking {
                number: non_empty(line.tracking_id).or_else(|| text(messages.get("tracking_id"))),
                carrier: non_empty(line.carrier_name).or_else(|| text(messages.get("carrier_name"))),
                url: first_url(line.tracking_urls.as_ref())
                    .or_else(|| first_url(messages.get("tracking_urls")))
                    .or_else(|| first_url(messages.get("url"))),
            };
            if tracking.is_none() && (found.number.is_some() || found.url.is_some()) {
                tracking = Some(found);
            }
        }
        let estimated_delivery = self
            .estimated_shipping_dates
            .and_then(|d| d.arrival_max)
            .and_then(|date| date.get(..10).and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()));
        JobUpdate {
            id: self.id,
            external_id: non_empty(self.external_id),
            mapped: map_status(&self.status.name),
            changed: self
                .status
                .changed
                .as_deref()
                .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
                .map(|at| at.with_timezone(&Utc)),
            status: self.status.name,
            message: (!words.is_empty()).then(|| words.join(" ")),
            tracking,
            estimated_delivery,
        }
    }
}
