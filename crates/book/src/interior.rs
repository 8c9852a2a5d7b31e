//! Generates the typst source of the interior from a BookSpec.

use std::collections::HashMap;
use std::fmt::Write;

use typst::foundations::Bytes;
use typst::syntax::FileId;

use crate::layout::{geometry, photo_size};
use crate::markup::{escape, markdown_to_typst};
use crate::world::file_id;
use crate::{page_limits, BookSpec, Photo, Template};

/// Typst source plus the files it references.
pub struct Generated {
    pub source: String,
    pub files: HashMap<FileId, Bytes>,
}

/// File extension for the image format, from its magic bytes.
pub fn image_ext(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(b"GIF8") {
        Some("gif")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

/// Adds a photo under `stem` and returns its path, or None (logged) when
/// the bytes are no image typst can read.
pub fn add_photo(files: &mut HashMap<FileId, Bytes>, stem: &str, photo: &Photo) -> Option<String> {
    let Some(ext) = image_ext(&photo.bytes) else {
        eprintln!("mystoryflow-book: photo {} is not JPEG/PNG/GIF/WebP; left out", photo.id);
        return None;
    };
    if ext == "jpg" {
        if let Some(svg) = jpeg_in_svg(&photo.bytes) {
            let path = format!("{stem}.svg");
            files.insert(file_id(&path), Bytes::new(svg));
            return Some(path);
        }
    }
    let path = format!("{stem}.{ext}");
    files.insert(file_id(&path), Bytes::new(photo.bytes.clone()));
    Some(path)
}

/// A JPEG wrapped in an SVG `<image>`. typst decodes a raster image as soon as it is loaded
/// and keeps the pixels for the whole render (150 print photos: about a gigabyte); inside an
/// SVG the JPEG stays compressed, the PDF still embeds its original bytes (sRGB-tagged, as
/// typst tags every colour), and page previews decode it only while drawing.
fn jpeg_in_svg(jpeg: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let (w, h) = jpeg_size(jpeg)?;
    let data = base64::engine::general_purpose::STANDARD.encode(jpeg);
    Some(
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><image width="{w}" height="{h}" preserveAspectRatio="none" xlink:href="data:image/jpeg;base64,{data}"/></svg>"#
        )
        .into_bytes(),
    )
}

/// Pixel size from a JPEG's start-of-frame segment.
fn jpeg_size(b: &[u8]) -> Option<(u16, u16)> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xff {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xff {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            let h = u16::from_be_bytes([b[i + 5], b[i + 6]]);
            let w = u16::from_be_bytes([b[i + 7], b[i + 8]]);
            return (w > 0 && h > 0).then_some((w, h));
        }
        i += 2 + len;
    }
    None
}

pub fn qr_svg(url: &str) -> Option<Vec<u8>> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build().into_bytes())
}

/// `#rrggbb` → itself, anything else → the default cover colour.
pub fn colour(s: &str) -> String {
    let s = s.trim();
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        s.to_ascii_lowercase()
    } else {
        crate::DEFAULT_COVER_COLOUR.to_string()
    }
}

struct Style {
    body_font: &'static str,
    head_font: &'static str,
    caption_font: &'static str,
    justify: bool,
}

fn style(t: Template) -> Style {
    match t {
        Template::Classic => Style {
            body_font: "Libertinus Serif",
            head_font: "Libertinus Serif",
            caption_font: "Libertinus Serif",
            justify: true,
        },
        Template::Modern => Style {
            body_font: "Liberation Sans",
            head_font: "Liberation Sans",
            caption_font: "Liberation Sans",
            justify: false,
        },
        Template::PhotoHeavy => Style {
            body_font: "Libertinus Serif",
            head_font: "Liberation Sans",
            caption_font: "Liberation Sans",
            justify: false,
        },
    }
}

/// Accent colour for rules and initials: the cover colour if it is dark
/// enough to read on white paper, else dark grey.
fn accent(spec: &BookSpec) -> String {
    let c = colour(&spec.cover.colour);
    let v = |i: usize| u32::from_str_radix(&c[i..i + 2], 16).unwrap_or(0) as f64;
    let luma = 0.2126 * v(1) + 0.7152 * v(3) + 0.0722 * v(5);
    if luma < 150.0 {
        c
    } else {
        "#444444".to_string()
    }
}

const COMMON: &str = r##"
#let sec-info() = {
  let p = here().page()
  let starts = query(<sec-start>)
  let ends = query(<sec-end>)
  let res = none
  for (i, s) in starts.enumerate() {
    let sp = s.location().page()
    if sp <= p and i < ends.len() and ends.at(i).location().page() >= p {
      res = (kind: s.value.kind, title: s.value.title, open: sp == p)
    }
  }
  res
}
#let book-header() = context {
  let s = sec-info()
  if s == none or s.open or s.kind != "story" { return none }
  set text(size: 0.8em, fill: luma(90))
  if calc.even(here().page()) { align(left, header-left) } else { align(right, s.title) }
}
#let book-footer() = context {
  let s = sec-info()
  if s == none { return none }
  set text(size: 0.85em)
  let n = counter(page).display()
  if footer-centred { align(center, n) }
  else if calc.even(here().page()) { align(left, n) } else { align(right, n) }
}
#let qr-block(path) = block(breakable: false, above: 0.3em, below: 1.4em, grid(
  columns: (0.8in, auto), column-gutter: 0.15in, align: horizon,
  image(path, width: 0.8in),
  text(font: caption-font, size: 0.85em, fill: luma(60))[Scan to hear this story in their own voice]))
#let notes-page(n) = page(header: none, footer: none, {
  set par(first-line-indent: 0em)
  v(0.25in)
  align(center, text(font: head-font, size: 1.5em, fill: luma(60))[Notes])
  v(0.2in)
  stack(spacing: 0.34in, ..range(n).map(_ => line(length: 100%, stroke: 0.4pt + luma(185))))
})
"##;

pub fn generate(spec: &BookSpec) -> Generated {
    let g = geometry(spec.trim);
    let st = style(spec.template);
    let acc = accent(spec);
    let mut files = HashMap::new();
    let mut s = String::with_capacity(64 * 1024);
    let t = spec.template;

    let _ = write!(
        s,
        r##"#set document(title: [{title}])
#let accent = rgb("{acc}")
#let head-font = "{hf}"
#let caption-font = "{cf}"
#let header-left = [{title}]
#let footer-centred = {centred}
{common}
#set page(width: {w}in, height: {h}in, bleed: 0.125in,
  margin: (inside: {mi}in, outside: {mo}in, top: {mt}in, bottom: {mb}in),
  numbering: "1", header: book-header(), footer: book-footer())
#set text(font: "{bf}", size: {bp}pt, lang: "en", hyphenate: {just})
#set par(justify: {just}, leading: 0.62em, spacing: {pspace}, first-line-indent: {indent})
#set heading(numbering: none)
#show heading: set text(font: head-font, hyphenate: false)
#show heading: set par(justify: false)
#show heading.where(level: 2): it => block(above: 1.4em, below: 0.8em, sticky: true, text(size: 1.2em, weight: "bold", it.body))
#show heading.where(level: 3): it => block(above: 1.2em, below: 0.6em, sticky: true, text(size: 1.05em, weight: "bold", style: "italic", it.body))
#show quote.where(block: true): it => pad(left: 1.5em, right: 1em, text(style: "italic", it.body))
#show footnote.entry: set text(size: 0.8em)
#show list: set block(above: 0.9em, below: 0.9em)
#show enum: set block(above: 0.9em, below: 0.9em)
#set list(indent: 0.8em)
#set enum(indent: 0.8em)
"##,
        title = escape(&spec.title),
        common = COMMON,
        hf = st.head_font,
        cf = st.caption_font,
        bf = st.body_font,
        centred = matches!(t, Template::Classic),
        w = g.width,
        h = g.height,
        mi = g.inside,
        mo = g.outside,
        mt = g.top,
        mb = g.bottom,
        bp = g.body_pt,
        just = st.justify,
        pspace = if st.justify { "0.62em" } else { "1.1em" },
        indent = if st.justify { "1.2em" } else { "0em" },
    );
    s.push_str(match t {
        Template::Classic => CLASSIC,
        Template::Modern => MODERN,
        Template::PhotoHeavy => PHOTO_HEAVY,
    });

    // Title page and its blank (colophon) back.
    let _ = write!(
        s,
        r##"
#page[
  #set align(center)
  #set par(justify: false, first-line-indent: 0em)
  #set text(hyphenate: false)
  #v(22%)
  #title-block([{title}], [{subtitle}])
  #v(1fr)
  #text(size: 1.15em, font: head-font)[{author}]
  #v(8%)
]
#page[
  #set par(first-line-indent: 0em)
  #v(1fr)
  #text(size: 0.75em, fill: luma(110))[{title} #linebreak() Printed with MyStoryFlow]
]
"##,
        title = escape(&spec.title),
        subtitle = escape(&spec.subtitle),
        author = escape(&spec.author_line),
    );
    if !spec.dedication.trim().is_empty() {
        let _ = write!(
            s,
            r##"#page[
  #set par(justify: false, first-line-indent: 0em)
  #v(28%)
  #align(center, block(width: 80%, text(style: "italic", size: 1.1em)[{}]))
]
#page[]
"##,
            escape(&spec.dedication)
        );
    }
    s.push_str(
        r##"#metadata((kind: "toc", title: [])) <sec-start>
#toc-title[Contents]
#outline(title: none, depth: 1)
#metadata(none) <sec-end>
"##,
    );

    for (i, story) in spec.stories.iter().enumerate() {
        let _ = write!(
            s,
            "\n#pagebreak(to: \"odd\", weak: true)\n#metadata((kind: \"story\", title: [{t}])) <sec-start>\n#heading(level: 1)[{t}] <story-{i}>\n",
            t = escape(&story.title)
        );
        if let Some(url) = &story.qr_url {
            if let Some(svg) = qr_svg(url) {
                let path = format!("/qr/{i}.svg");
                files.insert(file_id(&path), Bytes::new(svg));
                let _ = writeln!(s, "#qr-block(\"{path}\")\n");
            }
        }
        let conv = markdown_to_typst(&story.markdown);
        let photos: Vec<String> = story
            .photos
            .iter()
            .enumerate()
            .filter_map(|(k, p)| {
                let path = add_photo(&mut files, &format!("/photos/{i}-{k}"), p)?;
                let (w, h) = photo_size(spec.trim, t, p.original_width, p.original_height);
                Some(format!("#photo(\"{path}\", {w:.4}in, {h:.4}in, [{}])\n\n", escape(&p.caption)))
            })
            .collect();
        let n_blocks = conv.blocks.len();
        let n_photos = photos.len();
        // Photo k goes after block slot(k): evenly spread through the text;
        // PhotoHeavy opens the story with its first photo.
        let slot = |k: usize| -> usize {
            if t == Template::PhotoHeavy {
                if k == 0 {
                    0
                } else {
                    (k * n_blocks).div_ceil(n_photos.max(1))
                }
            } else {
                (((k + 1) * n_blocks) / (n_photos + 1)).max(usize::from(n_blocks > 0))
            }
        };
        let mut k = 0;
        for b in 0..=n_blocks {
            // A photo never separates a sub-heading from its text.
            let after_heading = b > 0 && conv.blocks[b - 1].starts_with("#heading");
            while k < n_photos && slot(k).min(n_blocks) <= b && !after_heading {
                s.push_str(&photos[k]);
                k += 1;
            }
            if b < n_blocks {
                let block = &conv.blocks[b];
                if b == 0 && t == Template::Classic {
                    s.push_str(&drop_cap(block));
                } else {
                    s.push_str(block);
                }
            }
        }
        s.push_str("#metadata(none) <sec-end>\n");
    }

    // Pad to the provider minimum with Notes pages, then to a multiple of 4.
    let (min, _) = page_limits(spec.binding);
    let lines = ((g.text_height() - 0.9) / 0.34).floor().max(1.0) as usize;
    let _ = write!(
        s,
        r##"
#metadata(none) <body-end>
#context {{
  let n = locate(<body-end>).page()
  let notes = calc.max(0, {min} - n)
  let rest = calc.rem(4 - calc.rem(n + notes, 4), 4)
  for _ in range(notes) {{ notes-page({lines}) }}
  for _ in range(rest) {{ page[] }}
}}
"##
    );
    Generated { source: s, files }
}

/// Marks the first letter of a story's first paragraph as a drop cap; other
/// blocks (headings, lists, quotes) are left alone.
fn drop_cap(block: &str) -> String {
    if block.starts_with('#') {
        return block.to_string();
    }
    let mut chars = block.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_alphanumeric() => {
            let rest = &block[c.len_utf8()..];
            format!("#drop-cap[{c}]{rest}")
        }
        _ => block.to_string(),
    }
}

const CLASSIC: &str = r##"
#show heading.where(level: 1): it => block(width: 100%, above: 0pt, below: 0pt, {
  v(1.1in)
  align(center, text(size: 1.75em, weight: "regular", smallcaps(it.body)))
  v(0.12in)
  align(center, line(length: 0.9in, stroke: 0.6pt + accent))
  v(0.4in)
})
#let title-block(t, sub) = {
  text(size: 2.6em, smallcaps(t))
  v(0.25in)
  line(length: 1.2in, stroke: 0.6pt + accent)
  v(0.15in)
  text(size: 1.3em, style: "italic", sub)
}
#let toc-title(t) = { v(0.8in); align(center, text(size: 1.6em, smallcaps(t))); v(0.35in) }
#let drop-cap(c) = box(height: 0.75em, baseline: 0pt, text(size: 2.9em, fill: accent, top-edge: "cap-height", bottom-edge: "baseline", c)) + h(0.06em)
#let photo(path, w, h, cap) = place(auto, float: true, clearance: 1.4em, block(breakable: false, width: 100%, above: 1.3em, below: 1.3em, align(center, {
  image(path, width: w, height: h, fit: "contain")
  if cap != [] { v(0.45em); text(size: 0.85em, style: "italic", cap) }
})))
"##;

const MODERN: &str = r##"
#show heading.where(level: 1): it => block(width: 100%, above: 0pt, below: 0pt, {
  v(0.9in)
  text(size: 1.9em, weight: "bold", it.body)
  v(0.02in)
  line(length: 100%, stroke: 2.5pt + accent)
  v(0.35in)
})
#let title-block(t, sub) = align(left, {
  line(length: 100%, stroke: 4pt + accent)
  v(0.2in)
  text(size: 2.6em, weight: "bold", t)
  v(0.1in)
  text(size: 1.3em, fill: luma(80), sub)
})
#let toc-title(t) = { v(0.6in); text(size: 1.6em, weight: "bold", t); v(-0.05in); line(length: 100%, stroke: 2pt + accent); v(0.3in) }
#let drop-cap(c) = c
#let photo(path, w, h, cap) = place(auto, float: true, clearance: 1.4em, block(breakable: false, width: 100%, above: 1.4em, below: 1.4em, {
  image(path, width: w, height: h, fit: "contain")
  if cap != [] { v(0.4em); text(size: 0.8em, fill: luma(70), cap) }
}))
"##;

const PHOTO_HEAVY: &str = r##"
#show heading.where(level: 1): it => block(width: 100%, above: 0pt, below: 0pt, {
  v(0.5in)
  text(font: head-font, size: 2.1em, weight: "regular", it.body)
  v(0.04in)
  line(length: 1.2in, stroke: 1.5pt + accent)
  v(0.25in)
})
#let title-block(t, sub) = {
  text(font: head-font, size: 2.8em, t)
  v(0.2in)
  text(font: head-font, size: 1.3em, fill: luma(80), sub)
}
#let toc-title(t) = { v(0.6in); text(font: head-font, size: 1.6em, t); v(0.3in) }
#let drop-cap(c) = c
#let photo(path, w, h, cap) = place(auto, float: true, clearance: 1.4em, block(breakable: false, width: 100%, above: 1.2em, below: 1.4em, align(center, {
  image(path, width: w, height: h, fit: "contain")
  if cap != [] { v(0.4em); text(font: caption-font, size: 0.8em, fill: luma(60), cap) }
})))
"##;
