//! Prints typesetting figures for a 300-page book with 150 distinct photos.

use std::time::Instant;

use mystoryflow_book::*;

fn jpeg(seed: u32) -> Vec<u8> {
    // What the server hands in for a 6×9 Classic book: 4.5 in wide at 300 dpi.
    let (w, h) = (1350, 900);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104729) ^ seed.wrapping_mul(31)).wrapping_mul(2654435761) >> 27;
        image::Rgb([((x * 255 / w) as u8).wrapping_add(n as u8), (y * 255 / h) as u8, (seed * 37) as u8])
    });
    let mut buf = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 85).encode_image(&img).unwrap();
    buf.into_inner()
}

fn peak_rss_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "n/a".into())
}

fn story_text(i: usize, paragraphs: usize, edit: &str) -> String {
    let mut s = String::new();
    for p in 0..paragraphs {
        s += &format!(
            "Paragraph {p} of story {i}{edit}. We had **bold plans** and *quiet evenings*; the summer house smelled \
of pine and salt, and everyone remembers the long table under the oak tree. We walked to the harbour every \
morning to buy bread, and the fishermen waved as they mended their nets. Later that evening the stories \
began, one after another, until the candles burned low.\n\n"
        );
        if p == 3 {
            s += "### What we carried\n\n> Always keep the good china for Sundays.\n\n";
        }
    }
    s
}

fn main() {
    let t = Instant::now();
    let base = jpeg(0);
    let stories: Vec<Story> = (0..75)
        .map(|i| Story {
            id: format!("s{i}"),
            title: format!("Chapter {i}: a summer to remember"),
            markdown: story_text(i, 11, ""),
            photos: (0..2)
                .map(|k| {
                    // Distinct bytes per photo: trailing bytes after the JPEG end marker are ignored by decoders.
                    let mut bytes = if k == 0 { jpeg(i as u32 + 1) } else { base.clone() };
                    bytes.extend_from_slice(&((i * 3 + k) as u64).to_le_bytes());
                    Photo {
                        id: format!("p{i}-{k}"),
                        bytes,
                        original_width: 1350,
                        original_height: 900,
                        caption: format!("Photo {k} of story {i}"),
                    }
                })
                .collect(),
            qr_url: (i % 5 == 0).then(|| format!("https://mystoryflow.example/listen/{i}")),
        })
        .collect();
    let mut spec = BookSpec {
        title: "Benchmark Book".into(),
        subtitle: "Three hundred pages".into(),
        author_line: "As told by Someone".into(),
        dedication: "For the benchmark.".into(),
        trim: TrimSize::Trade6x9,
        template: Template::Classic,
        paper: Paper::Standard60,
        binding: Binding::Paperback,
        cover: Cover { layout: CoverLayout::TextOnly, colour: "#334455".into(), photo: None, back_text: "Back".into() },
        stories,
    };
    eprintln!("photo generation: {:?}", t.elapsed());

    println!("peak RSS before typesetting (photos generated): {}", peak_rss_mb());
    let mut ts = Typesetter::new();
    let t = Instant::now();
    let interior = ts.interior(&spec).unwrap();
    let typeset = t.elapsed();
    println!("peak RSS after typesetting: {}", peak_rss_mb());
    let t = Instant::now();
    let pdf = interior.pdf().unwrap();
    println!(
        "cold typeset: {typeset:?}, PDF export: {:?}, {} pages, {} photos, PDF {:.1} MB",
        t.elapsed(),
        interior.page_count(),
        spec.stories.iter().map(|s| s.photos.len()).sum::<usize>(),
        pdf.len() as f64 / 1e6
    );
    println!("peak RSS after first render: {}", peak_rss_mb());
    drop(pdf);

    spec.stories[37].markdown = story_text(37, 11, " (edited)");
    let t = Instant::now();
    let interior = ts.interior(&spec).unwrap();
    let retypeset = t.elapsed();
    let t = Instant::now();
    let pdf = interior.pdf().unwrap();
    println!("re-render after one-story edit: typeset {retypeset:?}, PDF export {:?}", t.elapsed());
    drop(pdf);

    let t = Instant::now();
    let mut bytes = 0;
    for i in 0..interior.page_count() {
        bytes += interior.page_png(i, 96.0).unwrap().len();
    }
    println!("all {} page PNGs at 96 ppi: {:?} ({:.1} MB)", interior.page_count(), t.elapsed(), bytes as f64 / 1e6);
    println!("peak RSS at end: {}", peak_rss_mb());
}
