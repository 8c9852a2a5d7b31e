//! Question cards, checked the way a printer sees them: page size (pdfinfo), the words
//! (pdftotext), and a QR code rasterised by pdftoppm and read back with rqrr.
use std::path::{Path, PathBuf};
use std::process::Command;

use mystoryflow_book::*;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mystoryflow-cards-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} (poppler-utils) must be installed: {e}"));
    assert!(out.status.success(), "{cmd} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn words(text: &str) -> String {
    text.replace('\u{2060}', "").split_whitespace().collect::<Vec<_>>().join(" ")
}

fn photo_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(600, 400, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut buf = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 80).encode_image(&img).unwrap();
    buf.into_inner()
}

const ADDRESS: &str = "https://stories.example/s/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

fn cards(paper: CardPaper) -> QuestionCards {
    let long = "When you think about the kitchen of the house you grew up in, what do you see on the table, \
                who is standing at the stove, what is on the radio, and which smell tells you it is a Sunday? \
                Tell us about one ordinary evening there, as if we were sitting with you."
        .to_owned();
    QuestionCards {
        paper,
        storyteller_name: Some("Robert".into()),
        family: "Anna (and the kids!)".into(),
        address: ADDRESS.into(),
        cards: vec![
            QuestionCard {
                question: "What did your street sound like on a summer evening when you were ten?".into(),
                photo: None,
                url: format!("{ADDRESS}?q=11111111-1111-1111-1111-111111111111"),
            },
            QuestionCard {
                question: "Tell us about this picture.".into(),
                photo: Some(photo_jpeg()),
                url: format!("{ADDRESS}?q=22222222-2222-2222-2222-222222222222"),
            },
            QuestionCard {
                question: long,
                photo: None,
                url: format!("{ADDRESS}?q=33333333-3333-3333-3333-333333333333"),
            },
            QuestionCard {
                question: "Hostile #set page(width: 1in) $x$ <b> [ ] * _ // and \\ too?".into(),
                photo: None,
                url: format!("{ADDRESS}?q=44444444-4444-4444-4444-444444444444"),
            },
        ],
    }
}

/// Every QR code on page `page` of the PDF, decoded.
fn qr_codes(pdf: &Path, page: usize) -> Vec<String> {
    let prefix = tmp(&format!("qr-{page}"));
    let p = page.to_string();
    tool(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-gray",
            "-png",
            "-f",
            &p,
            "-l",
            &p,
            "-singlefile",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let png = prefix.with_extension("png");
    let img = image::open(&png).unwrap().to_luma8();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(img.width() as usize, img.height() as usize, |x, y| {
            img.get_pixel(x as u32, y as u32)[0]
        });
    prepared.detect_grids().iter().map(|grid| grid.decode().expect("a readable QR code").1).collect()
}

#[test]
fn question_cards_print_on_letter_and_a4_with_a_working_qr_code_each() {
    let mut ts = Typesetter::new();
    for (paper, name, size) in
        [(CardPaper::Letter, "letter", "612 x 792 pts"), (CardPaper::A4, "a4", "595.276 x 841.89 pts")]
    {
        let spec = cards(paper);
        let pdf = ts.question_cards(&spec).expect("typesets");
        let path = tmp(&format!("cards-{name}.pdf"));
        std::fs::write(&path, &pdf).unwrap();

        let info = tool("pdfinfo", &[path.to_str().unwrap()]);
        assert!(info.lines().any(|l| l.starts_with("Page size:") && l.contains(size)), "{name}: {info}");
        assert!(
            info.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 4")),
            "one card a page: {info}"
        );

        let text = tool("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
        let pages: Vec<&str> = text.split('\u{c}').collect();
        for (i, card) in spec.cards.iter().enumerate() {
            let page = words(pages[i]);
            assert!(page.contains(&words(&card.question)), "{name} card {i}: {page}");
            assert!(page.contains("A question for Robert from Anna (and the kids!)"), "{page}");
            assert!(page.contains("To answer, point your phone") && page.contains("camera at this square"), "{page}");
        }

        for (i, card) in spec.cards.iter().enumerate().take(2) {
            assert_eq!(qr_codes(&path, i + 1), vec![card.url.clone()], "{name} card {i}");
        }
    }
}

#[test]
fn the_photo_of_a_photo_question_is_printed_on_its_card() {
    let pdf = Typesetter::new().question_cards(&cards(CardPaper::A4)).unwrap();
    let path = tmp("cards-images.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let list = tool("pdfimages", &["-list", path.to_str().unwrap()]);
    let pages_with_photos: Vec<&str> =
        list.lines().skip(2).filter(|l| l.contains(" 600 ") && l.contains(" 400 ")).collect();
    assert_eq!(pages_with_photos.len(), 1, "{list}");
    assert_eq!(pages_with_photos[0].split_whitespace().next(), Some("2"), "on the photo question's card: {list}");
}
