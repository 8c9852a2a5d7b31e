use std::path::{Path, PathBuf};
use std::process::Command;

use mystoryflow_book::*;

fn jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, (seed * 40) as u8])
    });
    let mut buf = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 80).encode_image(&img).unwrap();
    buf.into_inner()
}

fn photo(id: &str, w: u32, h: u32, seed: u32, caption: &str) -> Photo {
    Photo { id: id.into(), bytes: jpeg(w, h, seed), original_width: w, original_height: h, caption: caption.into() }
}

const TITLES: [&str; 10] = [
    "Growing Up on Maple Street",
    "The Harbour Summers",
    "Meeting Your Grandmother",
    "The First Car",
    "Working at the Mill",
    "Our Wedding Day",
    "The Year of the Flood",
    "Moving to the City",
    "Sunday Dinners",
    "Advice for the Grandchildren",
];

fn body(i: usize, paragraphs: usize) -> String {
    let mut s = String::new();
    for p in 0..paragraphs {
        s += &format!(
            "Paragraph {p} of story {i}. We had **bold plans** and *quiet evenings*; the summer house smelled \
of pine and salt, and everyone remembers the long table under the oak tree. We walked to the harbour \
every morning to buy bread, and the fishermen waved as they mended their nets.\n\n"
        );
        if p == 1 {
            s += "### What we carried\n\n> Always keep the good china for Sundays.\n\n- a blue suitcase\n- two cameras\n\n1. first\n2. second\n\n";
        }
    }
    s
}

fn spec(stories: usize, paragraphs: usize) -> BookSpec {
    BookSpec {
        title: "The Miller Family Stories".into(),
        subtitle: "A life in ten chapters".into(),
        author_line: "As told by Robert Miller".into(),
        dedication: "For Anna, who asked every question.".into(),
        trim: TrimSize::Trade6x9,
        template: Template::Classic,
        paper: Paper::Standard60,
        binding: Binding::Paperback,
        cover: Cover {
            layout: CoverLayout::TextOnly,
            colour: "#2a4d69".into(),
            photo: None,
            back_text: "Stories of a life, told in his own words.".into(),
        },
        stories: (0..stories)
            .map(|i| Story {
                id: format!("s{i}"),
                title: TITLES[i % TITLES.len()].into(),
                markdown: body(i, paragraphs),
                photos: vec![],
                qr_url: None,
            })
            .collect(),
    }
}

fn full_spec() -> BookSpec {
    let mut spec = spec(10, 6);
    spec.stories[0].photos = vec![
        photo("p-land", 1800, 1200, 1, "The house on Maple Street, 1952"),
        photo("p-portrait", 1200, 1800, 2, "Mother in her garden"),
    ];
    spec.stories[2].photos = vec![photo("p-low", 300, 200, 3, "A tiny snapshot")];
    spec.stories[4].photos = vec![photo("p4", 1800, 1200, 4, ""), photo("p5", 1800, 1200, 5, "The mill")];
    spec.stories[7].photos = vec![photo("p7", 1800, 1200, 6, "The city")];
    spec.stories[3].markdown += "We laughed so hard 😀 that day.\n";
    spec.stories[1].qr_url = Some("https://mystoryflow.example/listen/abc123".into());
    spec.stories[5].markdown += HOSTILE;
    spec
}

const HOSTILE: &str = "\nHostile: \\#set page(width: 1in) and $x$ and <label> and @ref and \\\\ and ] and [ and \\* and \\_ and // and /* and `tick` and <b>html</b>.\n\n\\= not a heading\n\n\\- not a list\n\n\\+ not an enum\n";

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mystoryflow-book-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn run(cmd: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(cmd).args(args).arg(file).output().unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(out.status.success(), "{cmd} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pages_text(pdf: &Path) -> Vec<String> {
    pages_text_mode(pdf, true)
}

fn pages_text_mode(pdf: &Path, layout: bool) -> Vec<String> {
    let mut out =
        Command::new("pdftotext").arg(if layout { "-layout" } else { "-raw" }).arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success());
    out.stdout = String::from_utf8_lossy(&out.stdout).replace('\u{2060}', "").into_bytes();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn first_line(page: &str) -> &str {
    page.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

/// The first two non-empty lines joined (titles may wrap once).
fn top_text(page: &str) -> String {
    let two = page.lines().filter(|l| !l.trim().is_empty()).take(2).collect::<Vec<_>>().join(" ");
    two.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn full_book_interior() {
    let spec = full_spec();
    let mut ts = Typesetter::new();
    let t = std::time::Instant::now();
    let interior = ts.interior(&spec).expect("typesets");
    eprintln!("typeset {} pages in {:?}", interior.page_count(), t.elapsed());
    let pdf = interior.pdf().unwrap();
    let path = tmp("full.pdf");
    std::fs::write(&path, &pdf).unwrap();

    let n = interior.page_count();
    assert_eq!(n % 4, 0, "{n} pages");
    assert!(n >= 32);

    let info = run("pdfinfo", &["-box"], &path);
    assert!(info.lines().any(|l| l.starts_with("Page size:") && l.contains("450 x 666 pts")), "{info}");
    let trim = info.lines().find(|l| l.starts_with("TrimBox:")).unwrap();
    let v: Vec<f64> = trim.split_whitespace().skip(1).map(|x| x.parse().unwrap()).collect();
    assert!((v[2] - v[0] - 432.0).abs() < 0.01 && (v[3] - v[1] - 648.0).abs() < 0.01, "{trim}");
    assert!(info.lines().any(|l| l.starts_with("Pages:") && l.ends_with(&format!(" {n}"))), "{info}");

    let fonts = run("pdffonts", &[], &path);
    for line in fonts.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {line}");
    }

    let pages = pages_text(&path);
    assert_eq!(pages.len(), n);
    let story_pages = interior.story_pages();
    assert_eq!(story_pages.len(), 10);
    let toc: String = pages.iter().filter(|p| !p.contains("Paragraph")).take(6).cloned().collect();
    for (i, (id, page)) in story_pages.iter().enumerate() {
        assert_eq!(id, &format!("s{i}"));
        let title = TITLES[i];
        let line = toc.lines().find(|l| l.contains(title)).unwrap_or_else(|| panic!("{title} not in TOC"));
        let printed: usize = line.split_whitespace().last().unwrap().parse().unwrap();
        assert_eq!(printed, *page, "TOC number for {title}");
        assert!(top_text(&pages[page - 1]).starts_with(title), "page {page}: {}", pages[page - 1]);
        assert_eq!(page % 2, 1, "stories open on right-hand pages");
        // Footer shows the physical page number.
        assert!(pages[page - 1].trim_end().ends_with(&page.to_string()), "footer on {page}");
    }
    // Floating photos stay inside their own story.
    for (story, caption) in [
        (0, "The house on Maple Street, 1952"),
        (0, "Mother in her garden"),
        (2, "A tiny snapshot"),
        (4, "The mill"),
        (7, "The city"),
    ] {
        let at = pages.iter().position(|p| p.contains(caption)).unwrap_or_else(|| panic!("{caption} missing")) + 1;
        assert!(at >= story_pages[story].1 && at < story_pages[story + 1].1, "{caption} on page {at}");
    }
    let all = pages.concat();
    for lit in [
        "#set page(width: 1in)",
        "$x$",
        "<label>",
        "@ref",
        "<b>html</b>",
        "= not a heading",
        "- not a list",
        "+ not an enum",
        "/*",
        "//",
    ] {
        assert!(all.contains(lit), "missing literal {lit}");
    }
    assert!(all.contains("Scan to hear this story in their own voice"));
    assert!(all.contains("For Anna, who asked every question."));

    // Header: book title on a left page of a multi-page story.
    let (_, p0) = story_pages[0];
    assert!(first_line(&pages[p0]).contains("The Miller Family Stories"), "{}", pages[p0]);

    let png = interior.page_png(0, 48.0).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(interior.page_png(n, 48.0).is_err());

    let findings = preflight(&spec);
    assert!(
        findings.contains(&Finding::LowResolutionPhoto {
            story_id: Some("s2".into()),
            photo_id: "p-low".into(),
            dpi: (300.0 / photo_print_size_in(spec.trim, spec.template, 300, 200).0) as u32,
        }),
        "{findings:?}"
    );
    assert!(
        !findings.iter().any(|f| matches!(f, Finding::LowResolutionPhoto { photo_id, .. } if photo_id != "p-low")),
        "{findings:?}"
    );
    assert!(
        findings.contains(&Finding::MissingGlyphs { story_id: Some("s3".into()), characters: "😀".into() }),
        "{findings:?}"
    );
    assert!(findings.iter().all(|f| f.severity() == Severity::Warning), "{findings:?}");
}

#[test]
fn short_book_padded_with_notes() {
    let spec = spec(2, 2);
    let mut ts = Typesetter::new();
    let interior = ts.interior(&spec).unwrap();
    assert_eq!(interior.page_count(), 32);
    let path = tmp("short.pdf");
    std::fs::write(&path, interior.pdf().unwrap()).unwrap();
    let pages = pages_text(&path);
    assert_eq!(first_line(&pages[20]), "Notes");
    let mut hard = spec.clone();
    hard.binding = Binding::Hardcover;
    assert_eq!(ts.interior(&hard).unwrap().page_count(), 24);
}

#[test]
fn every_template_and_trim_typesets() {
    let mut ts = Typesetter::new();
    for template in [Template::Classic, Template::Modern, Template::PhotoHeavy] {
        for trim in [TrimSize::Trade6x9, TrimSize::Square8_5, TrimSize::Letter8_5x11] {
            let mut spec = spec(3, 3);
            spec.template = template;
            spec.trim = trim;
            spec.stories[1].photos = vec![photo("a", 1600, 1067, 1, "caption"), photo("b", 800, 1200, 2, "")];
            let interior = ts.interior(&spec).unwrap_or_else(|e| panic!("{template:?} {trim:?}: {e}"));
            assert_eq!(interior.page_count() % 4, 0);
            assert!(interior.page_png(4, 30.0).is_ok());
            let cover = ts.cover(&spec, interior.page_count()).unwrap();
            assert!(cover.png(20.0).is_ok());
        }
    }
}

#[test]
fn rerender_reflects_edit() {
    let mut spec = spec(4, 3);
    let mut ts = Typesetter::new();
    let first = ts.interior(&spec).unwrap();
    spec.stories[2].markdown = "A completely new sentence about the lighthouse.\n".into();
    let t = std::time::Instant::now();
    let second = ts.interior(&spec).unwrap();
    eprintln!("re-render after one edit: {:?}", t.elapsed());
    let (a, b) = (tmp("re1.pdf"), tmp("re2.pdf"));
    std::fs::write(&a, first.pdf().unwrap()).unwrap();
    std::fs::write(&b, second.pdf().unwrap()).unwrap();
    assert!(!pages_text(&a).concat().contains("lighthouse"));
    assert!(pages_text(&b).concat().contains("lighthouse"));
}

fn cover_text(spec: &BookSpec, pages: usize) -> (CoverSpread, String, String) {
    let mut ts = Typesetter::new();
    let cover = ts.cover(spec, pages).unwrap();
    let path = tmp(&format!("cover-{pages}-{:?}.pdf", spec.binding));
    std::fs::write(&path, cover.pdf().unwrap()).unwrap();
    (cover, run("pdfinfo", &[], &path), pages_text_mode(&path, false).concat())
}

#[test]
fn cover_spread_size_and_spine() {
    let mut spec = spec(1, 1);
    for (pages, spine_text) in [(40usize, false), (120, true)] {
        let (cover, info, text) = cover_text(&spec, pages);
        let spine = spine_width_in(pages, Paper::Standard60, Binding::Paperback);
        assert!((spine - (pages as f64 / 444.0 + 0.06)).abs() < 1e-9);
        let w = 0.25 + 12.0 + spine;
        assert!((cover.width_in() - w).abs() < 1e-9 && (cover.height_in() - 9.25).abs() < 1e-9);
        let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
        let nums: Vec<f64> = size.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        assert!((nums[0] - w * 72.0).abs() < 0.6 && (nums[1] - 9.25 * 72.0).abs() < 0.6, "{size}");
        let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let authors = squashed.matches("AstoldbyRobertMiller").count();
        assert_eq!(authors, if spine_text { 2 } else { 1 }, "{pages} pages: {text}");
        assert!(text.contains("Made with MyStoryFlow"));
    }
    spec.binding = Binding::Hardcover;
    let (cover, _, _) = cover_text(&spec, 100);
    assert!((cover.spine_in() - 0.5).abs() < 1e-9);
    assert!((cover.width_in() - (1.5 + 12.0 + 0.5)).abs() < 1e-9);

    // Photo layouts, and a malformed colour, still render.
    spec.binding = Binding::Paperback;
    spec.cover.colour = "blue".into();
    for layout in [CoverLayout::FullBleedPhoto, CoverLayout::FramedPhoto] {
        spec.cover.layout = layout;
        spec.cover.photo = None;
        assert!(preflight(&spec).contains(&Finding::MissingCoverPhoto));
        cover_text(&spec, 60);
        spec.cover.photo = Some(photo("cover", 1000, 700, 9, ""));
        let findings = preflight(&spec);
        assert!(
            findings.iter().any(|f| matches!(f, Finding::LowResolutionPhoto { story_id: None, .. })),
            "{findings:?}"
        );
        let (cover, _, _) = cover_text(&spec, 60);
        assert!(cover.png(30.0).is_ok());
    }
}

#[test]
fn hostile_and_empty_inputs_do_not_panic() {
    let mut spec = spec(2, 1);
    spec.title = String::new();
    spec.subtitle = "#let x = 1 $ [ ] \\".into();
    spec.dedication = String::new();
    spec.stories[0].title = String::new();
    spec.stories[0].markdown = String::new();
    spec.stories[1].title = "日本語 ünïcödé — \"quotes\" 'single'".into();
    spec.stories[1].photos = vec![Photo {
        id: "bad".into(),
        bytes: b"not an image".to_vec(),
        original_width: 0,
        original_height: 0,
        caption: "]".into(),
    }];
    let mut ts = Typesetter::new();
    let interior = ts.interior(&spec).unwrap();
    assert_eq!(interior.page_count(), 32);
    let findings = preflight(&spec);
    assert!(findings.contains(&Finding::EmptyStory { story_id: "s0".into() }));
    assert!(preflight(&BookSpec { stories: vec![], ..spec.clone() }).contains(&Finding::NoStories));
    assert_eq!(page_findings(801, Binding::Paperback), vec![Finding::TooManyPages { pages: 801, max: 800 }]);
    assert!(page_findings(800, Binding::Paperback).is_empty());
    assert_eq!(
        notes_finding(7, Binding::Paperback),
        Some(Finding::PaddedWithNotes { written: 7, min: 32, binding: Binding::Paperback })
    );
    assert_eq!(notes_finding(7, Binding::Paperback).unwrap().severity(), Severity::Note);
    assert_eq!(notes_finding(32, Binding::Paperback), None);
    assert_eq!(notes_finding(24, Binding::Hardcover), None);
}

#[test]
fn a_short_book_knows_how_many_pages_its_stories_fill() {
    let spec = spec(1, 1);
    let interior = Typesetter::new().interior(&spec).unwrap();
    assert_eq!(interior.page_count(), 32, "padded to the paperback minimum");
    let written = interior.written_pages();
    assert!((3..10).contains(&written), "title, contents and one story: {written}");
    assert_eq!(
        notes_finding(written, spec.binding),
        Some(Finding::PaddedWithNotes { written, min: 32, binding: Binding::Paperback })
    );
}
