//! Generates the typst source of the one-page cover spread.

use std::collections::HashMap;
use std::fmt::Write;

use typst::foundations::Bytes;
use typst::syntax::FileId;

use crate::interior::{add_photo, colour};
use crate::layout::geometry;
use crate::markup::escape;
use crate::{
    spine_width_in, Binding, BookSpec, CoverLayout, Template, BLEED_IN, HARDCOVER_WRAP_IN, SPINE_TEXT_MIN_PAGES,
};

pub struct Generated {
    pub source: String,
    pub files: HashMap<FileId, Bytes>,
    pub width_in: f64,
    pub height_in: f64,
    pub spine_in: f64,
}

/// Art beyond the trim on each outer edge: bleed, or the casewrap turn-in.
fn edge(binding: Binding) -> f64 {
    match binding {
        Binding::Paperback => BLEED_IN,
        Binding::Hardcover => HARDCOVER_WRAP_IN,
    }
}

/// Largest frame of the FramedPhoto layout (width, height) in inches.
fn frame_box(spec: &BookSpec) -> (f64, f64) {
    let g = geometry(spec.trim);
    (g.width - 1.5, g.height * 0.55)
}

pub fn photo_print_size(spec: &BookSpec, w: u32, h: u32) -> Option<(f64, f64)> {
    let g = geometry(spec.trim);
    let (w, h) = if w == 0 || h == 0 { (1.0, 1.0) } else { (w as f64, h as f64) };
    match spec.cover.layout {
        CoverLayout::TextOnly => None,
        CoverLayout::FullBleedPhoto => {
            // Covers the front panel and its outer edges: the larger scale wins.
            let e = edge(spec.binding);
            let (bw, bh) = (g.width + e, g.height + 2.0 * e);
            let s = (bw / w).max(bh / h);
            Some((w * s, h * s))
        }
        CoverLayout::FramedPhoto => {
            let (bw, bh) = frame_box(spec);
            let s = (bw / w).min(bh / h);
            Some((w * s, h * s))
        }
    }
}

/// Dark text on light colours, white on dark ones.
fn ink(bg: &str) -> &'static str {
    let v = |i: usize| u32::from_str_radix(&bg[i..i + 2], 16).unwrap_or(0) as f64;
    let luma = 0.2126 * v(1) + 0.7152 * v(3) + 0.0722 * v(5);
    if luma > 150.0 {
        "#1e1e1e"
    } else {
        "#ffffff"
    }
}

pub fn generate(spec: &BookSpec, pages: usize) -> Generated {
    let g = geometry(spec.trim);
    let e = edge(spec.binding);
    let spine = spine_width_in(pages, spec.paper, spec.binding);
    let width = 2.0 * e + 2.0 * g.width + spine;
    let height = g.height + 2.0 * e;
    let bg = colour(&spec.cover.colour);
    let fg = ink(&bg);
    let (font, weight) = match spec.template {
        Template::Classic => ("Libertinus Serif", "regular"),
        Template::Modern => ("Liberation Sans", "bold"),
        Template::PhotoHeavy => ("Liberation Sans", "regular"),
    };
    let mut files = HashMap::new();
    let photo = spec.cover.photo.as_ref().and_then(|p| {
        let path = add_photo(&mut files, "/cover/photo", p)?;
        Some((path, p))
    });
    let layout = match (&photo, spec.cover.layout) {
        (None, _) => CoverLayout::TextOnly,
        (Some(_), l) => l,
    };
    let title = escape(&spec.title);
    let subtitle = escape(&spec.subtitle);
    let author = escape(&spec.author_line);
    let front_x = e + g.width + spine;
    let safe = 0.5;

    let mut s = String::new();
    let _ = write!(
        s,
        r##"#set page(width: {width}in, height: {height}in, margin: 0pt, fill: rgb("{bg}"))
#set text(font: "{font}", fill: rgb("{fg}"), lang: "en")
#set par(justify: false)
#let title-text = {{
  text(size: {ts}pt, weight: "{weight}", [{title}])
  if [{subtitle}] != [] {{ v(0.12in); text(size: {ss}pt, style: "italic", [{subtitle}]) }}
}}
"##,
        ts = if g.width < 7.0 { 30 } else { 38 },
        ss = if g.width < 7.0 { 14 } else { 17 },
    );

    // Back panel: text in the safe area, imprint at the bottom.
    let _ = write!(
        s,
        r##"#place(top + left, dx: {bx}in, dy: {by}in, block(width: {bw}in, height: {bh}in, {{
  set text(size: 11pt)
  set par(justify: true, leading: 0.7em)
  [{back}]
  v(1fr)
  align(center, text(size: 8pt, [Made with MyStoryFlow]))
}}))
"##,
        bx = e + 0.7,
        by = e + 0.9,
        bw = g.width - 1.4,
        bh = g.height - 0.9 - 0.6,
        back = escape(&spec.cover.back_text),
    );

    // Spine: title and author, reading top to bottom, only when thick enough.
    if pages >= SPINE_TEXT_MIN_PAGES {
        let size_pt = (spine * 72.0 * 0.45).clamp(6.0, 16.0);
        let _ = writeln!(
            s,
            r##"#place(top + left, dx: {sx}in, dy: {sy}in, rotate(90deg, reflow: true, box(width: {len}in, height: {spine}in, align(center + horizon, text(size: {size_pt:.1}pt, [{title}#h(1.2em){author}])))))"##,
            sx = e + g.width,
            sy = e + safe,
            len = g.height - 2.0 * safe,
        );
    }

    match (layout, &photo) {
        (CoverLayout::FullBleedPhoto, Some((path, _))) => {
            let _ = write!(
                s,
                r##"#place(top + left, dx: {front_x}in, dy: 0in, image("{path}", width: {pw}in, height: {height}in, fit: "cover"))
#place(top + left, dx: {front_x}in, dy: {band_y}in, block(width: {pw}in, fill: rgb("{bg}").transparentize(15%), inset: (x: {safe}in, y: 0.3in), align(center, title-text)))
#place(top + left, dx: {front_x}in, dy: {ay}in, block(width: {gw}in, inset: (x: {safe}in), align(center, box(fill: rgb("{bg}").transparentize(15%), inset: 0.12in, text(size: 13pt, [{author}])))))
"##,
                pw = g.width + e,
                band_y = e + g.height * 0.58,
                ay = e + g.height - safe - 0.55,
                gw = g.width,
            );
        }
        (CoverLayout::FramedPhoto, Some((path, p))) => {
            let (fw, fh) =
                photo_print_size(spec, p.original_width, p.original_height).unwrap_or_else(|| frame_box(spec));
            let _ = write!(
                s,
                r##"#place(top + left, dx: {fx}in, dy: {fy}in, box(stroke: 5pt + white, image("{path}", width: {fw:.4}in, height: {fh:.4}in, fit: "cover")))
#place(top + left, dx: {front_x}in, dy: {ty}in, block(width: {gw}in, inset: (x: {safe}in), align(center, {{ title-text; v(0.25in); text(size: 13pt, [{author}]) }})))
"##,
                fx = front_x + (g.width - fw) / 2.0,
                fy = e + 0.9,
                ty = e + 0.9 + fh + 0.45,
                gw = g.width,
            );
        }
        _ => {
            let _ = write!(
                s,
                r##"#place(top + left, dx: {front_x}in, dy: {ty}in, block(width: {gw}in, inset: (x: {safe}in), align(center, {{ title-text; v(0.2in); line(length: 1.2in, stroke: 1pt + rgb("{fg}")) }})))
#place(top + left, dx: {front_x}in, dy: {ay}in, block(width: {gw}in, inset: (x: {safe}in), align(center, text(size: 13pt, [{author}]))))
"##,
                ty = e + g.height * 0.3,
                ay = e + g.height - safe - 0.6,
                gw = g.width,
            );
        }
    }
    Generated { source: s, files, width_in: width, height_in: height, spine_in: spine }
}
