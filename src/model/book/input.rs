//! The designer's forms, checked before they touch a book's design: title, details, cover
//! colour and texts, captions.
use std::collections::BTreeMap;

use super::{Binding, Paper, Template, TrimSize};
use crate::error::AppError;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_LINE_CHARS: usize = 300;
pub const MAX_DEDICATION_CHARS: usize = 2_000;
pub const MAX_BACK_TEXT_CHARS: usize = 2_000;
pub const MAX_CAPTION_CHARS: usize = 1_000;

/// The "Details" form of the designer, checked before it touches the design.
#[derive(Debug, Clone, PartialEq)]
pub struct BookDetails {
    pub title: String,
    pub subtitle: String,
    pub author_line: String,
    pub dedication: String,
    pub trim: TrimSize,
    pub paper: Paper,
    pub binding: Binding,
    pub template: Template,
}

fn too_long(field: &str, text: &str, max: usize, what: &str) -> Option<(String, String)> {
    (text.chars().count() > max).then(|| (field.to_owned(), format!("{what} can be at most {max} characters.")))
}

/// A book's title: trimmed, not empty, at most MAX_TITLE_CHARS characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookTitle(String);

impl BookTitle {
    pub fn parse(title: &str) -> Result<Self, AppError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(AppError::invalid("title", "Please give the book a title."));
        }
        if let Some((field, message)) = too_long("title", title, MAX_TITLE_CHARS, "The title") {
            return Err(AppError::invalid(&field, message));
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl BookDetails {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        title: &str,
        subtitle: &str,
        author_line: &str,
        dedication: &str,
        trim: &str,
        paper: &str,
        binding: &str,
        template: &str,
    ) -> Result<Self, AppError> {
        let mut errors = BTreeMap::new();
        let title = match BookTitle::parse(title) {
            Ok(t) => t.0,
            Err(AppError::Validation(e)) => {
                errors.extend(e);
                String::new()
            }
            Err(other) => return Err(other),
        };
        errors.extend(too_long("subtitle", subtitle.trim(), MAX_LINE_CHARS, "The subtitle"));
        errors.extend(too_long("author_line", author_line.trim(), MAX_LINE_CHARS, "The author line"));
        errors.extend(too_long("dedication", dedication.trim(), MAX_DEDICATION_CHARS, "The dedication"));
        let choose = |errors: &mut BTreeMap<String, String>, field: &str, what: &str, ok: bool| {
            if !ok {
                errors.insert(field.to_owned(), format!("Please choose one of the {what}."));
            }
        };
        let trim_v = TrimSize::parse(trim);
        choose(&mut errors, "trim", "sizes", trim_v.is_some());
        let paper_v = Paper::parse(paper);
        choose(&mut errors, "paper", "papers", paper_v.is_some());
        let binding_v = Binding::parse(binding);
        choose(&mut errors, "binding", "bindings", binding_v.is_some());
        let template_v = Template::parse(template);
        choose(&mut errors, "template", "templates", template_v.is_some());
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(BookDetails {
            title,
            subtitle: subtitle.trim().to_owned(),
            author_line: author_line.trim().to_owned(),
            dedication: dedication.trim().to_owned(),
            trim: trim_v.unwrap_or_default(),
            paper: paper_v.unwrap_or_default(),
            binding: binding_v.unwrap_or_default(),
            template: template_v.unwrap_or_default(),
        })
    }
}

/// A cover colour: `#rrggbb` from a colour input, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colour(String);

impl Colour {
    pub fn parse(colour: &str) -> Result<Self, AppError> {
        let c = colour.trim();
        let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
        if ok {
            Ok(Self(c.to_ascii_lowercase()))
        } else {
            Err(AppError::invalid("colour", "Please choose a colour (like #2f4858)."))
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

pub fn parse_back_text(text: &str) -> Result<String, AppError> {
    match too_long("back_text", text.trim(), MAX_BACK_TEXT_CHARS, "The back-cover text") {
        Some((field, message)) => Err(AppError::invalid(&field, message)),
        None => Ok(text.trim().to_owned()),
    }
}

pub fn parse_caption(text: &str) -> Result<String, AppError> {
    match too_long("caption", text.trim(), MAX_CAPTION_CHARS, "A caption") {
        Some((field, message)) => Err(AppError::invalid(&field, message)),
        None => Ok(text.trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_report_every_bad_field_at_once() {
        let err = BookDetails::parse(" ", "", "", "", "4x6", "standard", "paperback", "gothic").unwrap_err();
        let AppError::Validation(fields) = err else { panic!("not a validation error") };
        assert!(fields.contains_key("title") && fields.contains_key("trim") && fields.contains_key("template"));
        let ok =
            BookDetails::parse(" Dad ", "", "as told by Dad", "", "6x9", "premium", "hardcover", "modern").unwrap();
        assert_eq!((ok.title.as_str(), ok.paper, ok.binding), ("Dad", Paper::Premium80, Binding::Hardcover));
    }

    #[test]
    fn colours_must_be_hex() {
        assert_eq!(Colour::parse("#A0b1C2").unwrap().into_string(), "#a0b1c2");
        assert!(Colour::parse("red").is_err());
        assert!(Colour::parse("#12345g").is_err());
    }
}
