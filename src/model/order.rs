//! Printed-book orders: the options a family chooses, the shipping address, the price as
//! line items (computed only on the server), and the order's lifecycle as a state machine.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::book::{Binding, Paper};
use crate::error::{AppError, FieldErrors};

choice!(
    /// Ink inside the book.
    Interior {
        BlackWhite = "bw": "Black and white",
        StandardColour = "standard_color": "Standard colour",
        PremiumColour = "premium_color": "Premium colour",
    } default StandardColour
);

choice!(
    Finish {
        Matte = "matte": "Matte",
        Gloss = "gloss": "Gloss",
    } default Matte
);

choice!(
    /// The print providers' shipping levels (Lulu's names), slowest and cheapest first.
    ShippingLevel {
        Mail = "MAIL": "Mail (slowest, no tracking in some countries)",
        PriorityMail = "PRIORITY_MAIL": "Priority mail",
        Ground = "GROUND": "Ground (tracked)",
        Expedited = "EXPEDITED": "Expedited (tracked, 2–5 days)",
        Express = "EXPRESS": "Express (tracked, 1–2 days)",
    } default Ground
);

choice!(
    OrderStatus {
        Pending = "pending": "Received",
        Processing = "processing": "Being prepared for print",
        Printed = "printed": "Printed",
        Shipped = "shipped": "Shipped",
        Delivered = "delivered": "Delivered",
        Cancelled = "cancelled": "Cancelled",
    } default Pending
);

choice!(
    /// Who changed an order: the person who placed it, staff, the print provider, the server.
    Actor {
        Customer = "customer": "You",
        Staff = "staff": "MyStoryFlow staff",
        Printer = "printer": "The printer",
        System = "system": "MyStoryFlow",
    }
);

/// Fewest and most pages each binding can be printed with (Lulu's limits; a casewrap
/// hardcover needs 24 pages, perfect binding 32).
pub fn page_range(binding: Binding) -> (i32, i32) {
    match binding {
        Binding::Paperback => (32, 800),
        Binding::Hardcover => (24, 800),
    }
}

pub const MAX_QUANTITY: i32 = 100;

impl OrderStatus {
    /// Whether `actor` may move an order from `self` to `to`; the error says why not.
    pub fn check(self, to: OrderStatus, actor: Actor) -> Result<(), String> {
        use OrderStatus::*;
        let forward = matches!(
            (self, to),
            (Pending, Processing) | (Processing, Printed) | (Printed, Shipped) | (Shipped, Delivered)
        );
        let allowed = match actor {
            Actor::Customer => self == Pending && to == Cancelled,
            Actor::Staff => forward || (to == Cancelled && matches!(self, Pending | Processing)),
            // The provider reports what happened; it may skip steps it doesn't report.
            // Cancelling is only before printing, as for staff.
            Actor::Printer | Actor::System => {
                (to != Cancelled && self.rank() < to.rank() && !matches!(self, Cancelled | Delivered))
                    || (to == Cancelled && matches!(self, Pending | Processing))
            }
        };
        if allowed {
            return Ok(());
        }
        Err(match (self, to, actor) {
            (_, Cancelled, Actor::Customer) => {
                format!("This order can no longer be cancelled: it is {}.", self.label().to_lowercase())
            }
            (Cancelled, _, _) => "This order was cancelled.".to_owned(),
            (_, Cancelled, _) => "A printed order can no longer be cancelled.".to_owned(),
            _ => format!("An order that is “{}” can't become “{}”.", self.label(), to.label()),
        })
    }

    fn rank(self) -> u8 {
        match self {
            OrderStatus::Pending => 0,
            OrderStatus::Processing => 1,
            OrderStatus::Printed => 2,
            OrderStatus::Shipped => 3,
            OrderStatus::Delivered => 4,
            OrderStatus::Cancelled => 5,
        }
    }

    /// The next step staff can record, if any.
    pub fn next(self) -> Option<OrderStatus> {
        match self {
            OrderStatus::Pending => Some(OrderStatus::Processing),
            OrderStatus::Processing => Some(OrderStatus::Printed),
            OrderStatus::Printed => Some(OrderStatus::Shipped),
            OrderStatus::Shipped => Some(OrderStatus::Delivered),
            OrderStatus::Delivered | OrderStatus::Cancelled => None,
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, OrderStatus::Delivered | OrderStatus::Cancelled)
    }
}

/// What the family chooses for a print run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PrintOptions {
    pub binding: Binding,
    pub interior: Interior,
    pub paper: Paper,
    pub finish: Finish,
    pub quantity: i32,
    pub shipping: ShippingLevel,
}

/// Where the books go. Print providers require every field but the second street line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ShippingAddress {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub phone: String,
}

/// The form's raw values, checked field by field on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct OrderForm {
    pub binding: String,
    pub interior: String,
    pub paper: String,
    pub finish: String,
    pub quantity: String,
    pub shipping: String,
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
}

fn required(errors: &mut FieldErrors, field: &str, value: &str, what: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.insert(field.to_owned(), format!("Please enter {what}."));
    } else if value.chars().count() > max {
        errors.insert(field.to_owned(), format!("Please keep {what} under {max} characters."));
    }
    value.to_owned()
}

fn choose<T: Copy>(errors: &mut FieldErrors, field: &str, value: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
    let parsed = parse(value.trim());
    if parsed.is_none() {
        errors.insert(field.to_owned(), "Please choose one of the options.".to_owned());
    }
    parsed
}

impl OrderForm {
    /// Every field checked; all the problems at once, each on its own field.
    pub fn parse(&self, page_count: i32) -> Result<(PrintOptions, ShippingAddress), AppError> {
        let mut errors = FieldErrors::new();
        let binding = choose(&mut errors, "binding", &self.binding, Binding::parse);
        if let Some(binding) = binding {
            let (min, max) = page_range(binding);
            if page_count < min || page_count > max {
                errors.insert(
                    "binding".into(),
                    format!(
                        "A {} needs {min} to {max} pages; this book has {page_count}.",
                        binding.label().to_lowercase()
                    ),
                );
            }
        }
        let interior = choose(&mut errors, "interior", &self.interior, Interior::parse);
        let paper = choose(&mut errors, "paper", &self.paper, Paper::parse);
        let finish = choose(&mut errors, "finish", &self.finish, Finish::parse);
        let shipping = choose(&mut errors, "shipping", &self.shipping, ShippingLevel::parse);
        let quantity = match self.quantity.trim().parse::<i32>() {
            Ok(n) if (1..=MAX_QUANTITY).contains(&n) => n,
            _ => {
                errors.insert("quantity".into(), format!("Please order between 1 and {MAX_QUANTITY} copies."));
                0
            }
        };
        let name = required(&mut errors, "name", &self.name, "the recipient's name", 100);
        let line1 = required(&mut errors, "line1", &self.line1, "the street address", 100);
        let line2 = self.line2.trim().to_owned();
        if line2.chars().count() > 100 {
            errors.insert("line2".into(), "Please keep the second line under 100 characters.".into());
        }
        let city = required(&mut errors, "city", &self.city, "the town or city", 80);
        let mut state = self.state.trim().to_owned();
        if state.chars().count() > 80 {
            errors.insert("state".into(), "Please keep the state or region under 80 characters.".into());
        }
        let postal_code = required(&mut errors, "postal_code", &self.postal_code, "the postal code", 20);
        let country = self.country.trim().to_ascii_uppercase();
        if country_name(&country).is_none() {
            errors.insert("country".into(), "Please choose the country from the list.".into());
        } else if needs_state(&country) && state.is_empty() {
            errors.insert("state".into(), "Please enter the state, province or region.".into());
        } else if needs_state_code(&country) {
            // Printers address these countries' parcels by the ISO 3166-2 code ("IL"), not
            // the name: a name here would be refused by the printer after the order.
            if (2..=3).contains(&state.len()) && state.chars().all(|c| c.is_ascii_alphabetic()) {
                state = state.to_ascii_uppercase();
            } else {
                errors.insert(
                    "state".into(),
                    "Please enter the state's or province's short code, e.g. IL for Illinois or ON for Ontario.".into(),
                );
            }
        }
        let phone = self.phone.trim().to_owned();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let phone_chars_ok = phone.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
        if phone.is_empty() {
            errors.insert(
                "phone".into(),
                "Please enter a phone number: the carrier calls it if there is a problem.".into(),
            );
        } else if !phone_chars_ok || !(8..=20).contains(&phone.chars().count()) || digits < 6 {
            // The print provider's rule (Lulu: 8 to 20 of digits, spaces and + - . / ( )).
            errors.insert(
                "phone".into(),
                "Please enter a phone number of 8 to 20 characters, digits with spaces or dashes, e.g. +1 555 123 4567."
                    .into(),
            );
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let options = PrintOptions {
            binding: binding.unwrap_or_default(),
            interior: interior.unwrap_or_default(),
            paper: paper.unwrap_or_default(),
            finish: finish.unwrap_or_default(),
            quantity,
            shipping: shipping.unwrap_or_default(),
        };
        Ok((options, ShippingAddress { name, line1, line2, city, state, postal_code, country, phone }))
    }

    pub fn from_parts(options: &PrintOptions, address: &ShippingAddress) -> Self {
        OrderForm {
            binding: options.binding.as_str().into(),
            interior: options.interior.as_str().into(),
            paper: options.paper.as_str().into(),
            finish: options.finish.as_str().into(),
            quantity: options.quantity.to_string(),
            shipping: options.shipping.as_str().into(),
            name: address.name.clone(),
            line1: address.line1.clone(),
            line2: address.line2.clone(),
            city: address.city.clone(),
            state: address.state.clone(),
            postal_code: address.postal_code.clone(),
            country: address.country.clone(),
            phone: address.phone.clone(),
        }
    }

    /// The address as typed (trimmed), to compare with saved ones.
    pub fn address(&self) -> ShippingAddress {
        ShippingAddress {
            name: self.name.trim().into(),
            line1: self.line1.trim().into(),
            line2: self.line2.trim().into(),
            city: self.city.trim().into(),
            state: self.state.trim().into(),
            postal_code: self.postal_code.trim().into(),
            country: self.country.trim().to_ascii_uppercase(),
            phone: self.phone.trim().into(),
        }
    }

    /// The form's fields as query pairs, for the "see the price" page address.
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.pairs() {
            query.append_pair(key, value);
        }
        query.finish()
    }

    pub fn pairs(&self) -> [(&'static str, &str); 14] {
        [
            ("binding", &self.binding),
            ("interior", &self.interior),
            ("paper", &self.paper),
            ("finish", &self.finish),
            ("quantity", &self.quantity),
            ("shipping", &self.shipping),
            ("name", &self.name),
            ("line1", &self.line1),
            ("line2", &self.line2),
            ("city", &self.city),
            ("state", &self.state),
            ("postal_code", &self.postal_code),
            ("country", &self.country),
            ("phone", &self.phone),
        ]
    }
}

fn needs_state(country: &str) -> bool {
    matches!(country, "US" | "CA" | "AU" | "MX" | "BR" | "IN")
}

/// Where the state must be its ISO 3166-2 code (Lulu's rule for shipping addresses).
fn needs_state_code(country: &str) -> bool {
    matches!(country, "US" | "CA" | "AU" | "MX")
}

/// The country's English name, for an ISO 3166-1 alpha-2 code we ship to.
pub fn country_name(code: &str) -> Option<&'static str> {
    if code.len() != 2 {
        return None;
    }
    isocountry::CountryCode::for_alpha2(code).ok().map(|c| c.name())
}

/// Every country, by name, for the address form's list.
pub fn countries() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<_> = isocountry::CountryCode::iter().map(|c| (c.alpha2(), c.name())).collect();
    all.sort_by(|a, b| a.1.cmp(b.1));
    all
}

/// One line of the price; amounts are exact decimals formatted on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceLine {
    pub label: String,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub lines: Vec<PriceLine>,
    pub total: String,
    pub currency: String,
}

/// The order page before confirming: the book, the choices, and (once the form is valid)
/// the price and the key that makes confirming happen once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderFormPage {
    pub campaign_id: Uuid,
    pub book_id: Uuid,
    pub book_title: String,
    pub page_count: i32,
    pub orderable: Result<(), String>,
    pub form: OrderForm,
    pub saved_addresses: Vec<ShippingAddress>,
    pub quote: Option<Result<Quote, FieldErrors>>,
    pub idempotency_key: Uuid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: Uuid,
    pub order_number: String,
    pub book_title: String,
    pub quantity: i32,
    pub status: OrderStatus,
    pub total: String,
    pub ordered_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub actor: Actor,
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub summary: OrderSummary,
    pub campaign_id: Option<Uuid>,
    pub book_id: Option<Uuid>,
    pub options: PrintOptions,
    pub address: ShippingAddress,
    pub price: Quote,
    pub tracking_number: Option<String>,
    pub carrier: Option<String>,
    pub tracking_url: Option<String>,
    pub estimated_delivery: Option<NaiveDate>,
    pub events: Vec<OrderEvent>,
    pub interior_url: String,
    pub cover_url: String,
    pub contact_email: Option<String>,
    pub may_cancel: bool,
    /// Sent to a printer that takes jobs itself (Lulu) but not taken yet: its files are
    /// being sent and checked.
    pub waiting_for_printer: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    fn good_form() -> OrderForm {
        OrderForm {
            binding: "hardcover".into(),
            interior: "standard_color".into(),
            paper: "standard".into(),
            finish: "matte".into(),
            quantity: "2".into(),
            shipping: "GROUND".into(),
            name: "Ann Example".into(),
            line1: "1 Mill Lane".into(),
            line2: String::new(),
            city: "Springfield".into(),
            state: "IL".into(),
            postal_code: "62701".into(),
            country: "us".into(),
            phone: "+1 555 123 4567".into(),
        }
    }

    #[test]
    fn a_good_form_parses_and_the_country_is_normalised() {
        let (options, address) = good_form().parse(120).unwrap();
        assert_eq!((options.binding, options.quantity), (Binding::Hardcover, 2));
        assert_eq!(address.country, "US");
        assert_eq!(OrderForm::from_parts(&options, &address).parse(120).unwrap().1, address);
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let form = OrderForm {
            quantity: "101".into(),
            country: "XX".into(),
            phone: "call me".into(),
            name: " ".into(),
            binding: "spiral".into(),
            ..good_form()
        };
        let Err(AppError::Validation(errors)) = form.parse(120) else { panic!("refused") };
        for field in ["quantity", "country", "phone", "name", "binding"] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
        let Err(AppError::Validation(errors)) = OrderForm { quantity: "0".into(), ..good_form() }.parse(120) else {
            panic!()
        };
        assert_eq!(errors.len(), 1);
        let Err(AppError::Validation(errors)) = OrderForm { state: String::new(), ..good_form() }.parse(120) else {
            panic!()
        };
        assert!(errors.contains_key("state"));
    }

    #[test]
    fn addresses_follow_the_printers_rules() {
        let state = |state: &str, country: &str| {
            OrderForm { state: state.into(), country: country.into(), ..good_form() }.parse(120).map(|(_, a)| a.state)
        };
        assert_eq!(state("il", "US").unwrap(), "IL");
        assert_eq!(state("NSW", "AU").unwrap(), "NSW");
        let Err(AppError::Validation(errors)) = state("Illinois", "US") else { panic!("a state's name in the US") };
        assert!(errors["state"].contains("IL for Illinois"), "{errors:?}");
        assert!(state("I1", "CA").is_err());
        assert_eq!(state("Bavaria", "DE").unwrap(), "Bavaria", "elsewhere the region is free text");
        let phone = |phone: &str| OrderForm { phone: phone.into(), ..good_form() }.parse(120).is_ok();
        assert!(phone("+1 555 123 4567"));
        assert!(phone("(030) 1234/567"));
        assert!(!phone("5551234"), "7 characters");
        assert!(!phone("+1 555 123 4567 ext 89"), "letters");
        assert!(!phone("+1 (555) 123-4567 999 1"), "21 characters");
        assert!(!phone("+-------1234"), "too few digits");
    }

    #[test]
    fn bindings_are_limited_by_page_count() {
        let paperback = OrderForm { binding: "paperback".into(), ..good_form() };
        let Err(AppError::Validation(errors)) = paperback.parse(28) else { panic!() };
        assert_eq!(errors["binding"], "A paperback needs 32 to 800 pages; this book has 28.");
        assert!(good_form().parse(28).is_ok(), "a hardcover takes 24 pages");
        assert!(good_form().parse(801).is_err());
    }

    #[test]
    fn staff_move_orders_forward_one_step_at_a_time() {
        for (from, to) in [(Pending, Processing), (Processing, Printed), (Printed, Shipped), (Shipped, Delivered)] {
            assert!(from.check(to, Actor::Staff).is_ok(), "{from:?} → {to:?}");
            assert_eq!(from.next(), Some(to));
        }
        for (from, to) in [
            (Delivered, Pending),
            (Shipped, Processing),
            (Pending, Shipped),
            (Pending, Delivered),
            (Cancelled, Pending),
            (Cancelled, Processing),
            (Delivered, Cancelled),
            (Shipped, Cancelled),
            (Printed, Cancelled),
            (Pending, Pending),
        ] {
            assert!(from.check(to, Actor::Staff).is_err(), "{from:?} → {to:?}");
        }
    }

    #[test]
    fn the_customer_may_only_cancel_while_pending() {
        assert!(Pending.check(Cancelled, Actor::Customer).is_ok());
        for from in [Processing, Printed, Shipped, Delivered, Cancelled] {
            let err = from.check(Cancelled, Actor::Customer).unwrap_err();
            assert!(err.contains("can no longer be cancelled"), "{err}");
        }
        for to in [Processing, Printed, Shipped, Delivered] {
            assert!(Pending.check(to, Actor::Customer).is_err());
        }
    }

    #[test]
    fn the_printer_may_skip_steps_but_never_go_back() {
        assert!(Pending.check(Shipped, Actor::Printer).is_ok());
        assert!(Processing.check(Cancelled, Actor::Printer).is_ok());
        assert!(Shipped.check(Printed, Actor::Printer).is_err());
        assert!(Delivered.check(Cancelled, Actor::Printer).is_err());
        assert!(Cancelled.check(Shipped, Actor::Printer).is_err());
        for from in [Printed, Shipped] {
            let err = from.check(Cancelled, Actor::Printer).unwrap_err();
            assert_eq!(err, "A printed order can no longer be cancelled.");
            assert!(from.check(Cancelled, Actor::System).is_err());
        }
        assert!(Pending.check(Cancelled, Actor::System).is_ok());
        for (from, to) in [(Shipped, Shipped), (Printed, Processing), (Delivered, Shipped)] {
            assert!(from.check(to, Actor::Printer).is_err(), "{from:?} → {to:?}: a repeat or a late report");
        }
    }

    #[test]
    fn countries_come_from_iso_3166() {
        assert_eq!(country_name("DE"), Some("Germany"));
        assert_eq!(country_name("ZZ"), None);
        assert!(countries().len() > 240);
    }
}
