//! Question cards: one question per page in large type, with a QR code that opens the
//! storyteller's page at that question, for storytellers who don't read email.

use std::collections::HashMap;
use std::fmt::Write;

use typst::foundations::Bytes;

use crate::interior::{image_ext, qr_svg, Generated};
use crate::markup::escape;
use crate::world::file_id;
use crate::{CardPaper, QuestionCards};

pub fn generate(cards: &QuestionCards) -> Generated {
    let paper = match cards.paper {
        CardPaper::Letter => "us-letter",
        CardPaper::A4 => "a4",
    };
    let mut files = HashMap::new();
    let mut s = String::with_capacity(4096);
    let _ = write!(
        s,
        r##"#set page(paper: "{paper}", margin: (x: 0.9in, y: 0.8in))
#set text(font: "Liberation Sans", size: 16pt, fill: rgb("#1f1a17"), lang: "en")
#set par(leading: 0.55em)
"##
    );
    let from = match &cards.storyteller_name {
        Some(name) => format!("A question for {} from {}", name, cards.family),
        None => format!("A question from {}", cards.family),
    };
    for (i, card) in cards.cards.iter().enumerate() {
        if i > 0 {
            s.push_str("#pagebreak()\n");
        }
        let _ = writeln!(s, "#text(size: 14pt, fill: luma(80))[{}]\n#v(0.3in)", escape(&from));
        // Long questions step down so every card stays one page, never below 22 pt.
        let size = match card.question.chars().count() {
            0..=160 => 32,
            161..=300 => 26,
            _ => 22,
        };
        let _ = writeln!(s, "#block(width: 100%)[#text(size: {size}pt, weight: \"bold\")[{}]]", escape(&card.question));
        if let Some(photo) = &card.photo {
            if let Some(ext) = image_ext(photo) {
                let path = format!("/photos/{i}.{ext}");
                files.insert(file_id(&path), Bytes::new(photo.clone()));
                let _ = writeln!(
                    s,
                    "#v(0.2in)\n#align(center, image(\"{path}\", height: 3.2in, width: 100%, fit: \"contain\"))"
                );
            }
        }
        let _ = writeln!(s, "#v(1fr)");
        if let Some(svg) = qr_svg(&card.url) {
            let path = format!("/qr/{i}.svg");
            files.insert(file_id(&path), Bytes::new(svg));
            let _ = writeln!(
                s,
                "#grid(columns: (2.1in, 1fr), column-gutter: 0.35in, align: horizon,\n  image(\"{path}\", width: 2.1in),\n  [#text(size: 20pt)[To answer, point your phone's camera at this square and tap the link. You can talk or write.]\n   #v(0.15in)\n   #text(size: 12pt, fill: luma(70))[{}]])",
                escape(&cards.address)
            );
        }
    }
    Generated { source: s, files }
}
