//! The manual provider's prices: one table in configuration (MSF_PRICE_TABLE), exact
//! decimals, rounded to the cent once per copy.
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

use crate::model::book::{Binding, Paper};
use crate::model::order::{country_name, Interior, PriceLine, PrintOptions, Quote, ShippingLevel};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerBinding {
    pub paperback: Decimal,
    pub hardcover: Decimal,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerInterior {
    pub bw: Decimal,
    pub standard_color: Decimal,
    pub premium_color: Decimal,
}

/// Shipping to the home country and to everywhere else.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zones {
    pub domestic: Decimal,
    pub international: Decimal,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerLevel {
    #[serde(rename = "MAIL")]
    pub mail: Zones,
    #[serde(rename = "PRIORITY_MAIL")]
    pub priority_mail: Zones,
    #[serde(rename = "GROUND")]
    pub ground: Zones,
    #[serde(rename = "EXPEDITED")]
    pub expedited: Zones,
    #[serde(rename = "EXPRESS")]
    pub express: Zones,
}

/// Every price the manual provider charges. Amounts are strings of decimals in the JSON
/// ("4.50") so nothing passes through floating point.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriceTable {
    pub currency: String,
    pub home_country: String,
    pub per_copy: PerBinding,
    pub per_page: PerInterior,
    pub premium_paper_per_page: Decimal,
    pub shipping: PerLevel,
    pub shipping_per_extra_copy: Zones,
}

fn d(s: &str) -> Decimal {
    s.parse().expect("a literal decimal")
}

fn zones(domestic: &str, international: &str) -> Zones {
    Zones { domestic: d(domestic), international: d(international) }
}

impl Default for PriceTable {
    fn default() -> Self {
        PriceTable {
            currency: "USD".into(),
            home_country: "US".into(),
            per_copy: PerBinding { paperback: d("4.50"), hardcover: d("11.00") },
            per_page: PerInterior { bw: d("0.015"), standard_color: d("0.045"), premium_color: d("0.09") },
            premium_paper_per_page: d("0.01"),
            shipping: PerLevel {
                mail: zones("4.99", "12.99"),
                priority_mail: zones("7.99", "19.99"),
                ground: zones("8.99", "24.99"),
                expedited: zones("17.99", "39.99"),
                express: zones("29.99", "59.99"),
            },
            shipping_per_extra_copy: zones("1.50", "3.50"),
        }
    }
}

/// A computed price: what is stored with the order and shown as line items.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    pub unit: Decimal,
    pub printing: Decimal,
    pub shipping: Decimal,
    pub tax: Option<Decimal>,
    pub total: Decimal,
    pub currency: String,
}

pub fn money(amount: Decimal, currency: &str) -> String {
    let amount = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    match currency {
        "USD" => format!("${amount:.2}"),
        "EUR" => format!("€{amount:.2}"),
        "GBP" => format!("£{amount:.2}"),
        other => format!("{other} {amount:.2}"),
    }
}

impl Priced {
    pub fn quote(&self, options: &PrintOptions, country: &str) -> Quote {
        let mut lines = vec![
            PriceLine {
                label: format!("Printing: {} × {}", options.quantity, money(self.unit, &self.currency)),
                amount: money(self.printing, &self.currency),
            },
            PriceLine {
                label: format!(
                    "Shipping ({} to {})",
                    options.shipping.label().split(" (").next().unwrap_or_default(),
                    country_name(country).unwrap_or(country)
                ),
                amount: money(self.shipping, &self.currency),
            },
        ];
        if let Some(tax) = self.tax {
            lines.push(PriceLine { label: "Tax".into(), amount: money(tax, &self.currency) });
        }
        Quote { lines, total: money(self.total, &self.currency), currency: self.currency.clone() }
    }
}

impl PriceTable {
    pub fn parse(json: &str) -> Result<Self, String> {
        let table: PriceTable =
            serde_json::from_str(json).map_err(|err| format!("MSF_PRICE_TABLE is not valid: {err}"))?;
        if country_name(&table.home_country).is_none() || table.currency.len() != 3 {
            return Err("MSF_PRICE_TABLE needs a two-letter home_country and a three-letter currency".into());
        }
        Ok(table)
    }

    pub fn from_env() -> Result<Self, String> {
        match std::env::var("MSF_PRICE_TABLE") {
            Ok(json) if !json.trim().is_empty() => Self::parse(&json),
            _ => Ok(Self::default()),
        }
    }

    pub fn price(&self, options: &PrintOptions, pages: i32, country: &str) -> Priced {
        let pages = Decimal::from(pages);
        let base = match options.binding {
            Binding::Paperback => self.per_copy.paperback,
            Binding::Hardcover => self.per_copy.hardcover,
        };
        let per_page = match options.interior {
            Interior::BlackWhite => self.per_page.bw,
            Interior::StandardColour => self.per_page.standard_color,
            Interior::PremiumColour => self.per_page.premium_color,
        } + match options.paper {
            Paper::Standard60 => Decimal::ZERO,
            Paper::Premium80 => self.premium_paper_per_page,
        };
        let unit = (base + per_page * pages).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let quantity = Decimal::from(options.quantity.max(1));
        let level = match options.shipping {
            ShippingLevel::Mail => &self.shipping.mail,
            ShippingLevel::PriorityMail => &self.shipping.priority_mail,
            ShippingLevel::Ground => &self.shipping.ground,
            ShippingLevel::Expedited => &self.shipping.expedited,
            ShippingLevel::Express => &self.shipping.express,
        };
        let domestic = country == self.home_country;
        let zone = |z: &Zones| if domestic { z.domestic } else { z.international };
        let shipping = zone(level) + zone(&self.shipping_per_extra_copy) * (quantity - Decimal::ONE);
        let printing = unit * quantity;
        Priced { unit, printing, shipping, tax: None, total: printing + shipping, currency: self.currency.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::order::Finish;

    fn options(
        binding: Binding,
        interior: Interior,
        paper: Paper,
        quantity: i32,
        shipping: ShippingLevel,
    ) -> PrintOptions {
        PrintOptions { binding, interior, paper, finish: Finish::Matte, quantity, shipping }
    }

    #[test]
    fn prices_are_exact_to_the_cent() {
        use Binding::*;
        use Interior::*;
        use Paper::*;
        use ShippingLevel::*;
        let table = PriceTable::default();
        // (options, pages, country) → (unit, printing, shipping, total)
        let cases = [
            (
                options(Hardcover, StandardColour, Standard60, 2, Ground),
                120,
                "US",
                ("16.40", "32.80", "10.49", "43.29"),
            ),
            (options(Paperback, BlackWhite, Standard60, 1, Mail), 32, "US", ("4.98", "4.98", "4.99", "9.97")),
            // 0.015 × 33 = 0.495: the half cent rounds up, once per copy.
            (options(Paperback, BlackWhite, Standard60, 3, Mail), 33, "US", ("5.00", "15.00", "7.99", "22.99")),
            (
                options(Paperback, PremiumColour, Premium80, 100, Express),
                800,
                "DE",
                ("84.50", "8450.00", "406.49", "8856.49"),
            ),
            (
                options(Hardcover, BlackWhite, Premium80, 10, PriorityMail),
                24,
                "GB",
                ("11.60", "116.00", "51.49", "167.49"),
            ),
        ];
        for (options, pages, country, (unit, printing, shipping, total)) in cases {
            let priced = table.price(&options, pages, country);
            assert_eq!(
                (priced.unit, priced.printing, priced.shipping, priced.total),
                (d(unit), d(printing), d(shipping), d(total)),
                "{options:?} {pages} {country}"
            );
        }
    }

    #[test]
    fn the_quote_shows_line_items_and_the_total() {
        let options =
            options(Binding::Hardcover, Interior::StandardColour, Paper::Standard60, 2, ShippingLevel::Ground);
        let quote = PriceTable::default().price(&options, 120, "US").quote(&options, "US");
        assert_eq!(quote.lines[0].label, "Printing: 2 × $16.40");
        assert_eq!(quote.lines[0].amount, "$32.80");
        assert_eq!(quote.lines[1].label, "Shipping (Ground to United States of America)");
        assert_eq!(quote.total, "$43.29");
        assert_eq!(money(d("1234.5"), "EUR"), "€1234.50");
        assert_eq!(money(d("7"), "CHF"), "CHF 7.00");
    }

    #[test]
    fn a_table_in_configuration_replaces_the_defaults_and_typos_are_refused() {
        let mut json = serde_json::json!({
            "currency": "EUR", "home_country": "DE",
            "per_copy": {"paperback": "5", "hardcover": "12"},
            "per_page": {"bw": "0.02", "standard_color": "0.05", "premium_color": "0.1"},
            "premium_paper_per_page": "0.01",
            "shipping": {
                "MAIL": {"domestic": "3", "international": "9"},
                "PRIORITY_MAIL": {"domestic": "5", "international": "15"},
                "GROUND": {"domestic": "6", "international": "18"},
                "EXPEDITED": {"domestic": "12", "international": "30"},
                "EXPRESS": {"domestic": "20", "international": "45"}
            },
            "shipping_per_extra_copy": {"domestic": "1", "international": "2"}
        });
        let table = PriceTable::parse(&json.to_string()).unwrap();
        let o = options(Binding::Paperback, Interior::BlackWhite, Paper::Standard60, 1, ShippingLevel::Mail);
        assert_eq!(table.price(&o, 100, "DE").total, d("10.00"));
        json["per_copy"]["spiral"] = "1".into();
        assert!(PriceTable::parse(&json.to_string()).unwrap_err().contains("spiral"));
        assert!(PriceTable::parse(r#"{"home_country": "Germany"}"#).is_err());
    }
}
