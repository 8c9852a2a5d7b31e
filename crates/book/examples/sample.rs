//! Writes a sample book in every template (interior PDF, cover PDF, page PNGs) to look at:
//! `cargo run -p mystoryflow-book --example sample -- /tmp/sample`.
use std::path::PathBuf;

use mystoryflow_book::*;

fn jpeg(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let sky = y < h / 2;
        let base = if sky { [120, 170, 220] } else { [90, 140, 70] };
        let n = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed) % 30) as u8;
        image::Rgb([base[0] + n, base[1] + n, base[2].saturating_sub(n)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img).unwrap();
    out.into_inner()
}

fn photo(id: &str, w: u32, h: u32, caption: &str) -> Photo {
    Photo { id: id.into(), bytes: jpeg(w, h, w ^ h), original_width: w, original_height: h, caption: caption.into() }
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "sample-book".into()));
    std::fs::create_dir_all(&out).unwrap();
    let text = "We lived **far from town**, and the winters were *long*. Every morning my brother and I \
carried water from the pump, racing to see who would spill less.\n\n## The barn\n\n> Waste not, want not, \
Mother said, and she meant it.\n\nThe barn smelled of hay and diesel. The dog slept by the stove, and on \
Sundays we drove to church in the old truck, all six of us in the cab.\n\n- the red tractor\n- the *old* radio\n\n\
Those were good years, though we didn't know it then.\n\n";
    let stories = ["Growing up on Maple Street", "The harbour summers", "Meeting your grandmother"]
        .iter()
        .enumerate()
        .map(|(i, title)| Story {
            id: format!("s{i}"),
            title: (*title).into(),
            markdown: text.repeat(3),
            photos: if i == 0 {
                vec![
                    photo("a", 1350, 900, "The house on Maple Street, 1952"),
                    photo("b", 900, 1350, "Mother in her garden"),
                ]
            } else {
                vec![photo(&format!("c{i}"), 1350, 900, "")]
            },
            qr_url: (i == 1).then(|| "https://stories.example/listen/abc".to_owned()),
        })
        .collect();
    let mut spec = BookSpec {
        title: "The Miller Family Stories".into(),
        subtitle: "A life in his own words".into(),
        author_line: "As told by Robert Miller".into(),
        dedication: "For Anna, who asked every question.".into(),
        trim: TrimSize::Trade6x9,
        template: Template::Classic,
        paper: Paper::Standard60,
        binding: Binding::Paperback,
        cover: Cover {
            layout: CoverLayout::FullBleedPhoto,
            colour: "#2f4858".into(),
            photo: Some(photo("cover", 2000, 2900, "")),
            back_text: "Stories of a life, told in his own words and kept for his grandchildren.".into(),
        },
        stories,
    };
    let mut ts = Typesetter::new();
    for (name, template) in
        [("classic", Template::Classic), ("modern", Template::Modern), ("photo-heavy", Template::PhotoHeavy)]
    {
        spec.template = template;
        let interior = ts.interior(&spec).unwrap();
        std::fs::write(out.join(format!("{name}.pdf")), interior.pdf().unwrap()).unwrap();
        for page in 0..interior.page_count().min(16) {
            std::fs::write(out.join(format!("{name}-{:02}.png", page + 1)), interior.page_png(page, 40.0).unwrap())
                .unwrap();
        }
        let cover = ts.cover(&spec, interior.page_count()).unwrap();
        std::fs::write(out.join(format!("{name}-cover.png")), cover.png(30.0).unwrap()).unwrap();
        println!("{name}: {} pages", interior.page_count());
    }
}
