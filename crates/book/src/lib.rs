//! Typesets a family's book with typst, used as a library: the interior PDF
//! (trim + bleed, fonts embedded, padded to a multiple of four pages), the
//! cover spread (back + spine + front), page previews as PNG, and preflight.
//!
//! Nothing here touches the database or storage: the server hands in a
//! [`BookSpec`] with photos already upright and downsampled, and stores what
//! comes out. Everything is synchronous and CPU-bound (call it from
//! `spawn_blocking`).

// CONTRACT with the server crate (src/server/books/…). Keep these names and
// signatures; add private modules freely.

mod cards;
mod cover;
mod interior;
mod layout;
mod markup;
mod world;

use typst::foundations::{Label, Output};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

/// Escapes user text so typst markup prints it literally.
pub use markup::escape as escape_markup;

/// Used when `Cover::colour` is not a valid `#rrggbb`.
pub const DEFAULT_COVER_COLOUR: &str = "#2f4858";

/// Story titles longer than this many characters get a LongTitle warning.
pub const LONG_TITLE_CHARS: usize = 80;

/// Hardcover (casewrap) cover art wraps this far around the boards on every
/// edge instead of the 0.125 in bleed (Lulu: "a hardcover is printed 0.75"
/// larger than your front cover trim size").
pub const HARDCOVER_WRAP_IN: f64 = 0.75;

/// Physical trim size of the printed book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrimSize {
    /// 6 × 9 in, the usual memoir size.
    Trade6x9,
    /// 8.5 × 8.5 in, square, for photo-rich books.
    Square8_5,
    /// 8.5 × 11 in (US letter).
    Letter8_5x11,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// Serif body, centred small-caps headings, drop caps, photos inside the text width.
    Classic,
    /// Sans headings and body, left-aligned headings with a rule, no drop caps.
    Modern,
    /// Large photos (full text width, up to most of the page), lighter text.
    PhotoHeavy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoverLayout {
    FullBleedPhoto,
    FramedPhoto,
    TextOnly,
}

/// Interior paper; decides the spine width (pages per inch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    /// Lulu "60# white/cream" uncoated.
    Standard60,
    /// Lulu "80# white coated" (premium colour).
    Premium80,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    Paperback,
    Hardcover,
}

/// A photo ready to print: upright (EXIF orientation already applied),
/// sRGB JPEG or PNG, at most ~300 dpi at its printed size.
#[derive(Clone, Debug)]
pub struct Photo {
    /// Opaque id (the server's photo uuid), echoed back in preflight findings.
    pub id: String,
    pub bytes: Vec<u8>,
    /// Pixel size of the *original* after orientation: used for the dpi check.
    pub original_width: u32,
    pub original_height: u32,
    /// May be empty (then no caption line).
    pub caption: String,
}

#[derive(Clone, Debug)]
pub struct Story {
    /// Opaque id (the server's story uuid), echoed back in results/findings.
    pub id: String,
    pub title: String,
    /// CommonMark: bold, italic, headings, block quotes, lists, links, rules.
    pub markdown: String,
    pub photos: Vec<Photo>,
    /// When set, a QR code for this URL is printed with "Scan to hear …".
    pub qr_url: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Cover {
    pub layout: CoverLayout,
    /// `#rrggbb`; background of the cover (and spine/back).
    pub colour: String,
    pub photo: Option<Photo>,
    pub back_text: String,
}

#[derive(Clone, Debug)]
pub struct BookSpec {
    pub title: String,
    pub subtitle: String,
    /// e.g. "As told by Robert Miller"; may be empty.
    pub author_line: String,
    /// May be empty (then no dedication page).
    pub dedication: String,
    pub trim: TrimSize,
    pub template: Template,
    pub paper: Paper,
    pub binding: Binding,
    pub cover: Cover,
    pub stories: Vec<Story>,
}

/// Paper for question cards, printed at home.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardPaper {
    Letter,
    A4,
}

/// One printed question card.
#[derive(Clone, Debug)]
pub struct QuestionCard {
    pub question: String,
    /// The photo a photo question is about (JPEG or PNG), printed under the question.
    pub photo: Option<Vec<u8>>,
    /// What the card's QR code opens: the storyteller's page at this question.
    pub url: String,
}

/// Question cards for a storyteller who doesn't use email: one card per page.
#[derive(Clone, Debug)]
pub struct QuestionCards {
    pub paper: CardPaper,
    pub storyteller_name: Option<String>,
    /// Who asks, e.g. "Anna" or the campaign's title.
    pub family: String,
    /// The storyteller's page, printed small under each QR code.
    pub address: String,
    pub cards: Vec<QuestionCard>,
}

pub const BLEED_IN: f64 = 0.125;

/// Provider limits (Lulu): interiors shorter than the minimum are padded
/// with "Notes" pages; longer than the maximum is a preflight error.
pub fn page_limits(binding: Binding) -> (usize, usize) {
    match binding {
        Binding::Paperback => (32, 800),
        Binding::Hardcover => (24, 800),
    }
}

/// Spine width in inches for `pages` interior pages (Lulu cover spec).
pub fn spine_width_in(pages: usize, paper: Paper, binding: Binding) -> f64 {
    match binding {
        // Lulu's paperback formula, (pages / 444) + 0.06 in. Lulu publishes
        // one formula for all its paperback stocks, 80# coated included, so
        // the paper does not change the result (kept for other providers).
        Binding::Paperback => {
            let _ = paper;
            pages as f64 / 444.0 + 0.06
        }
        // Lulu's casewrap hardcover spine table (Lulu spine width
        // calculator PDF): fixed widths per page-count range.
        Binding::Hardcover => {
            const TABLE: [(usize, f64); 26] = [
                (84, 0.25),
                (140, 0.5),
                (168, 0.625),
                (194, 0.688),
                (222, 0.75),
                (250, 0.813),
                (278, 0.875),
                (306, 0.938),
                (334, 1.0),
                (360, 1.063),
                (388, 1.125),
                (416, 1.188),
                (444, 1.25),
                (472, 1.313),
                (500, 1.375),
                (528, 1.438),
                (556, 1.5),
                (582, 1.563),
                (610, 1.625),
                (638, 1.688),
                (666, 1.75),
                (694, 1.813),
                (722, 1.875),
                (750, 1.938),
                (778, 2.0),
                (799, 2.063),
            ];
            TABLE.iter().find(|(max, _)| pages <= *max).map_or(2.125, |(_, w)| *w)
        }
    }
}

/// Spine text is printed only from this many pages on.
pub const SPINE_TEXT_MIN_PAGES: usize = 80;

/// Printed size (width, height) in inches of a photo of this pixel aspect in
/// this template and trim: the server downsamples originals to 300 dpi of it.
pub fn photo_print_size_in(trim: TrimSize, template: Template, width_px: u32, height_px: u32) -> (f64, f64) {
    layout::photo_size(trim, template, width_px, height_px)
}

/// Printed size (width, height) in inches of the cover photo: for
/// FullBleedPhoto the photo covers the front panel plus its bleed (cropped,
/// so this may exceed the panel in one direction); for FramedPhoto the
/// frame; `None` for TextOnly.
pub fn cover_photo_print_size_in(spec: &BookSpec, width_px: u32, height_px: u32) -> Option<(f64, f64)> {
    cover::photo_print_size(spec, width_px, height_px)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    NoStories,
    /// pages = the typeset count; (min, max) from page_limits. Error only when > max.
    TooManyPages {
        pages: usize,
        max: usize,
    },
    MissingCoverPhoto,
    /// Effective dpi below 300 at the printed size.
    LowResolutionPhoto {
        story_id: Option<String>,
        photo_id: String,
        dpi: u32,
    },
    /// Characters no embedded font can draw (emoji etc.), deduplicated, in order of appearance.
    MissingGlyphs {
        story_id: Option<String>,
        characters: String,
    },
    EmptyStory {
        story_id: String,
    },
    /// Titles longer than this many characters are flagged (they wrap in the TOC and running header).
    LongTitle {
        story_id: String,
        length: usize,
    },
    /// The stories fill `written` pages, fewer than the binding's minimum `min`: blank
    /// "Notes" pages fill the rest. Not a problem; the owner should know why.
    PaddedWithNotes {
        written: usize,
        min: usize,
        binding: Binding,
    },
}

impl Finding {
    pub fn severity(&self) -> Severity {
        match self {
            Finding::NoStories | Finding::TooManyPages { .. } | Finding::MissingCoverPhoto => Severity::Error,
            Finding::PaddedWithNotes { .. } => Severity::Note,
            _ => Severity::Warning,
        }
    }
}

/// Checks that need no typesetting (run before and with every render).
pub fn preflight(spec: &BookSpec) -> Vec<Finding> {
    let mut out = Vec::new();
    if spec.stories.is_empty() {
        out.push(Finding::NoStories);
    }
    let photo_layout = matches!(spec.cover.layout, CoverLayout::FullBleedPhoto | CoverLayout::FramedPhoto);
    if photo_layout && spec.cover.photo.is_none() {
        out.push(Finding::MissingCoverPhoto);
    }
    if let Some(p) = &spec.cover.photo {
        if let Some((w, _)) = cover_photo_print_size_in(spec, p.original_width, p.original_height) {
            let dpi = dpi(p.original_width, w);
            if dpi < 300 {
                out.push(Finding::LowResolutionPhoto { story_id: None, photo_id: p.id.clone(), dpi });
            }
        }
    }
    let book_text = [&spec.title, &spec.subtitle, &spec.author_line, &spec.dedication, &spec.cover.back_text];
    let missing = missing_glyphs(book_text.iter().flat_map(|s| s.chars()));
    if !missing.is_empty() {
        out.push(Finding::MissingGlyphs { story_id: None, characters: missing });
    }
    for story in &spec.stories {
        let sid = || story.id.clone();
        for p in &story.photos {
            let (w, _) = photo_print_size_in(spec.trim, spec.template, p.original_width, p.original_height);
            let dpi = dpi(p.original_width, w);
            if dpi < 300 {
                out.push(Finding::LowResolutionPhoto { story_id: Some(sid()), photo_id: p.id.clone(), dpi });
            }
        }
        let visible = markup::visible_text(&story.markdown);
        let chars =
            story.title.chars().chain(visible.chars()).chain(story.photos.iter().flat_map(|p| p.caption.chars()));
        let missing = missing_glyphs(chars);
        if !missing.is_empty() {
            out.push(Finding::MissingGlyphs { story_id: Some(sid()), characters: missing });
        }
        if !markup::has_text(&story.markdown) {
            out.push(Finding::EmptyStory { story_id: sid() });
        }
        let length = story.title.chars().count();
        if length > LONG_TITLE_CHARS {
            out.push(Finding::LongTitle { story_id: sid(), length });
        }
    }
    out
}

/// TooManyPages when the typeset interior exceeds the binding's maximum.
pub fn page_findings(pages: usize, binding: Binding) -> Vec<Finding> {
    let (_, max) = page_limits(binding);
    if pages > max {
        vec![Finding::TooManyPages { pages, max }]
    } else {
        Vec::new()
    }
}

/// PaddedWithNotes when the stories (front matter included) fill fewer pages than the
/// binding's minimum.
pub fn notes_finding(written: usize, binding: Binding) -> Option<Finding> {
    let (min, _) = page_limits(binding);
    (written < min).then_some(Finding::PaddedWithNotes { written, min, binding })
}

fn dpi(original_px: u32, printed_in: f64) -> u32 {
    if printed_in <= 0.0 {
        return u32::MAX;
    }
    (original_px as f64 / printed_in).floor() as u32
}

/// Characters no loaded font covers (typst falls back across all of them),
/// deduplicated in order of appearance. Whitespace, controls and invisible
/// formatting characters (joiners, variation selectors) are ignored.
fn missing_glyphs(chars: impl Iterator<Item = char>) -> String {
    let book = &world::fonts().book;
    let mut out = String::new();
    for c in chars {
        if c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0020}'..='\u{E007F}')
            || out.contains(c)
        {
            continue;
        }
        let covered = (0..).map_while(|i| book.info(i)).any(|info| info.coverage.contains(c as u32));
        if !covered {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// typst rejected the generated source: a bug in this crate, or a corrupt photo.
    #[error("typesetting failed: {0}")]
    Typeset(String),
    #[error("PDF export failed: {0}")]
    Pdf(String),
}

/// Keeps fonts loaded and typst's caches warm between renders of the same
/// book, so re-rendering after a one-story edit is fast. One per process
/// (behind a Mutex); `Send`.
pub struct Typesetter {
    world: world::BookWorld,
}

impl Default for Typesetter {
    fn default() -> Self {
        Self::new()
    }
}

/// Drops typst's caches (layouts, parsed photos): a big book's render holds over half a
/// gigabyte. The next render is a cold one (about a second for 300 pages).
pub fn release_caches() {
    typst::comemo::evict(0);
}

fn compile(world: &world::BookWorld) -> Result<PagedDocument, BookError> {
    let warned = typst::compile::<PagedDocument>(world);
    for w in &warned.warnings {
        eprintln!("mystoryflow-book: typst warning: {}", w.message);
    }
    let result = warned
        .output
        .map_err(|errs| BookError::Typeset(errs.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")));
    // Keep recent cache entries (fast re-renders), drop older ones (memory).
    typst::comemo::evict(10);
    result
}

fn png(page: &typst_layout::Page, pixel_per_inch: f32, bleed: bool) -> Result<Vec<u8>, BookError> {
    if !(pixel_per_inch.is_finite() && pixel_per_inch > 0.0 && pixel_per_inch <= 1200.0) {
        return Err(BookError::Pdf(format!("unsupported resolution {pixel_per_inch} ppi")));
    }
    let opts =
        typst_render::RenderOptions { pixel_per_pt: (f64::from(pixel_per_inch) / 72.0).into(), render_bleed: bleed };
    typst_render::render(page, &opts).encode_png().map_err(|e| BookError::Pdf(format!("PNG encoding failed: {e}")))
}

fn pdf(doc: &PagedDocument) -> Result<Vec<u8>, BookError> {
    typst_pdf::pdf(doc, &typst_pdf::PdfOptions::default())
        .map_err(|errs| BookError::Pdf(errs.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")))
}

impl Typesetter {
    pub fn new() -> Self {
        // Touch the fonts now so the first render doesn't pay for parsing.
        let _ = world::fonts();
        Self { world: world::BookWorld::new() }
    }

    /// Typeset the interior. Front matter: title page, dedication (if any),
    /// contents with page numbers; each story starts on a new (right-hand)
    /// page; running header (book title / story title) and page numbers;
    /// padded with intentional blank pages to a multiple of 4 and at least
    /// the binding's minimum.
    pub fn interior(&mut self, spec: &BookSpec) -> Result<Interior, BookError> {
        let generated = interior::generate(spec);
        self.world.set_main("/interior.typ", &generated.source);
        self.world.set_files(generated.files);
        let doc = compile(&self.world)?;
        let introspector = Output::introspector(&doc);
        let story_pages = spec
            .stories
            .iter()
            .enumerate()
            .map(|(i, story)| {
                let page = Label::new(PicoStr::intern(&format!("story-{i}")))
                    .and_then(|label| introspector.query_label(label).ok())
                    .and_then(|content| content.location())
                    .and_then(|loc| introspector.page(loc))
                    .map_or(0, |p| p.get());
                (story.id.clone(), page)
            })
            .collect();
        let written_pages = Label::new(PicoStr::intern("body-end"))
            .and_then(|label| introspector.query_label(label).ok())
            .and_then(|content| content.location())
            .and_then(|loc| introspector.page(loc))
            .map_or(doc.pages().len(), |p| p.get());
        Ok(Interior { doc, story_pages, written_pages })
    }

    /// Question cards as a PDF, one card per page.
    pub fn question_cards(&mut self, cards: &QuestionCards) -> Result<Vec<u8>, BookError> {
        let generated = cards::generate(cards);
        self.world.set_main("/cards.typ", &generated.source);
        self.world.set_files(generated.files);
        pdf(&compile(&self.world)?)
    }

    /// The cover spread for an interior of `pages` pages.
    pub fn cover(&mut self, spec: &BookSpec, pages: usize) -> Result<CoverSpread, BookError> {
        let generated = cover::generate(spec, pages);
        self.world.set_main("/cover.typ", &generated.source);
        self.world.set_files(generated.files);
        let doc = compile(&self.world)?;
        Ok(CoverSpread {
            doc,
            width_in: generated.width_in,
            height_in: generated.height_in,
            spine_in: generated.spine_in,
        })
    }
}

pub struct Interior {
    doc: PagedDocument,
    story_pages: Vec<(String, usize)>,
    written_pages: usize,
}

impl Interior {
    pub fn page_count(&self) -> usize {
        self.doc.pages().len()
    }
    /// 1-based page number where each story starts, in book order: (story id, page).
    pub fn story_pages(&self) -> Vec<(String, usize)> {
        self.story_pages.clone()
    }
    /// Pages up to the end of the last story, before any "Notes" or blank padding.
    pub fn written_pages(&self) -> usize {
        self.written_pages
    }
    /// PDF with MediaBox = trim + bleed on every side, TrimBox = trim, fonts embedded.
    pub fn pdf(&self) -> Result<Vec<u8>, BookError> {
        pdf(&self.doc)
    }
    /// PNG of page `index` (0-based), trimmed to the trim box (what the reader sees), `pixel_per_inch` resolution.
    pub fn page_png(&self, index: usize, pixel_per_inch: f32) -> Result<Vec<u8>, BookError> {
        let page = self.doc.pages().get(index).ok_or_else(|| {
            BookError::Pdf(format!("page {index} out of range (book has {} pages)", self.doc.pages().len()))
        })?;
        png(page, pixel_per_inch, false)
    }
}

pub struct CoverSpread {
    doc: PagedDocument,
    width_in: f64,
    height_in: f64,
    spine_in: f64,
}

impl CoverSpread {
    /// Full spread width (bleed + back + spine + front + bleed) in inches.
    pub fn width_in(&self) -> f64 {
        self.width_in
    }
    pub fn height_in(&self) -> f64 {
        self.height_in
    }
    pub fn spine_in(&self) -> f64 {
        self.spine_in
    }
    pub fn pdf(&self) -> Result<Vec<u8>, BookError> {
        pdf(&self.doc)
    }
    pub fn png(&self, pixel_per_inch: f32) -> Result<Vec<u8>, BookError> {
        let page = self.doc.pages().first().ok_or_else(|| BookError::Pdf("empty cover".into()))?;
        png(page, pixel_per_inch, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typesetter_is_send() {
        fn send<T: Send>() {}
        send::<Typesetter>();
        send::<Interior>();
        send::<CoverSpread>();
    }

    #[test]
    fn limits_and_spines() {
        assert_eq!(page_limits(Binding::Paperback), (32, 800));
        assert_eq!(page_limits(Binding::Hardcover), (24, 800));
        assert!((spine_width_in(444, Paper::Standard60, Binding::Paperback) - 1.06).abs() < 1e-9);
        assert_eq!(spine_width_in(24, Paper::Premium80, Binding::Hardcover), 0.25);
        assert_eq!(spine_width_in(800, Paper::Standard60, Binding::Hardcover), 2.125);
    }

    #[test]
    fn photo_sizes_fit_the_template_box() {
        let (w, h) = photo_print_size_in(TrimSize::Trade6x9, Template::Classic, 3000, 2000);
        assert!((w - 4.5).abs() < 1e-9 && (h - 3.0).abs() < 1e-9);
        let (w, h) = photo_print_size_in(TrimSize::Trade6x9, Template::PhotoHeavy, 2000, 3000);
        assert!(w < 4.5 && (h - 7.15 * 0.7).abs() < 1e-9);
        assert_eq!(Finding::NoStories.severity(), Severity::Error);
        assert_eq!(Finding::EmptyStory { story_id: "x".into() }.severity(), Severity::Warning);
    }
}
