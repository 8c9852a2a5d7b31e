//! Page geometry per trim and photo sizing per template.

use crate::{Template, TrimSize};

/// Trim size and margins in inches. Every margin keeps text at least 0.5 in
/// from the trim (Lulu's safety margin); the inside one adds a gutter.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub width: f64,
    pub height: f64,
    pub inside: f64,
    pub outside: f64,
    pub top: f64,
    pub bottom: f64,
    pub body_pt: f64,
}

impl Geometry {
    pub fn text_width(&self) -> f64 {
        self.width - self.inside - self.outside
    }
    pub fn text_height(&self) -> f64 {
        self.height - self.top - self.bottom
    }
}

pub fn geometry(trim: TrimSize) -> Geometry {
    match trim {
        TrimSize::Trade6x9 => {
            Geometry { width: 6.0, height: 9.0, inside: 0.875, outside: 0.625, top: 0.95, bottom: 0.9, body_pt: 11.0 }
        }
        TrimSize::Square8_5 => {
            Geometry { width: 8.5, height: 8.5, inside: 1.0, outside: 0.75, top: 0.95, bottom: 0.9, body_pt: 11.5 }
        }
        TrimSize::Letter8_5x11 => {
            Geometry { width: 8.5, height: 11.0, inside: 1.125, outside: 0.875, top: 1.0, bottom: 1.0, body_pt: 12.0 }
        }
    }
}

/// Largest printed photo (fraction of text width, fraction of text height).
fn photo_box(template: Template) -> (f64, f64) {
    match template {
        Template::Classic => (1.0, 0.45),
        Template::Modern => (1.0, 0.5),
        Template::PhotoHeavy => (1.0, 0.7),
    }
}

pub fn photo_size(trim: TrimSize, template: Template, w: u32, h: u32) -> (f64, f64) {
    let g = geometry(trim);
    let (fw, fh) = photo_box(template);
    let (max_w, max_h) = (g.text_width() * fw, g.text_height() * fh);
    // A photo with unknown size is laid out as a square.
    let (w, h) = if w == 0 || h == 0 { (1.0, 1.0) } else { (w as f64, h as f64) };
    let scale = (max_w / w).min(max_h / h);
    (w * scale, h * scale)
}
