//! Escaping user text for typst markup and converting story markdown to it.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Escapes `s` so typst markup prints it literally: every character that can
/// start markup syntax gets a backslash (typst accepts `\` before any
/// non-space character), newlines become spaces, control characters vanish.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '\\' | '#' | '$' | '*' | '_' | '@' | '<' | '>' | '[' | ']' | '~' | '`' | '=' | '-' | '+' | '/' | '.'
            | ':' | '{' | '}' | '"' | '\'' | '%' | '&' | '|' | '^' | '(' | ')' | ';' | ',' | '!' | '?' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Story markdown converted to typst markup, one string per top-level block
/// (so photos can be placed between blocks).
#[derive(Debug, Default)]
pub struct Converted {
    pub blocks: Vec<String>,
}

/// Whether the markdown contains any printable text at all.
pub fn has_text(markdown: &str) -> bool {
    Parser::new_ext(markdown, options()).any(|e| match e {
        Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => !t.trim().is_empty(),
        _ => false,
    })
}

/// The characters a reader would see: text, code, HTML-as-text, link URLs.
pub fn visible_text(markdown: &str) -> String {
    let mut out = String::new();
    for e in Parser::new_ext(markdown, options()) {
        match e {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::Start(Tag::Link { dest_url, .. }) => out.push_str(&dest_url),
            _ => {}
        }
    }
    out
}

fn options() -> Options {
    // Smart punctuation turns "--" and straight quotes into real dashes and
    // curly quotes, which escaping would otherwise print verbatim.
    Options::ENABLE_SMART_PUNCTUATION
}

fn heading_level(level: HeadingLevel) -> u8 {
    // Story headings are always below the chapter (story title) level.
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 => 2,
        _ => 3,
    }
}

/// Converts CommonMark to typst markup. Raw HTML is printed as text; images
/// print their alt text; links print their text with the URL in a footnote.
pub fn markdown_to_typst(markdown: &str) -> Converted {
    let mut blocks = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    // Link destinations waiting for their closing tag, and whether the link
    // text equals the URL (autolinks: no footnote).
    let mut links: Vec<(String, String)> = Vec::new();
    let mut in_code_block = false;

    let push_text = |cur: &mut String, links: &mut Vec<(String, String)>, t: &str| {
        if let Some((_, text)) = links.last_mut() {
            text.push_str(t);
        }
        cur.push_str(&escape(t));
    };

    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(tag) => {
                depth += 1;
                match tag {
                    Tag::Paragraph => {}
                    Tag::Heading { level, .. } => {
                        cur.push_str(&format!("#heading(level: {}, outlined: false)[", heading_level(level)));
                    }
                    Tag::BlockQuote(_) => cur.push_str("#quote(block: true)["),
                    Tag::CodeBlock(_) => {
                        in_code_block = true;
                        cur.push_str("#block(inset: (left: 1em))[#set text(font: \"DejaVu Sans Mono\", size: 0.85em);");
                    }
                    Tag::List(None) => cur.push_str("#list("),
                    Tag::List(Some(start)) => cur.push_str(&format!("#enum(start: {start}, ")),
                    Tag::Item => cur.push('['),
                    Tag::Emphasis => cur.push_str("#emph["),
                    Tag::Strong => cur.push_str("#strong["),
                    Tag::Strikethrough => cur.push_str("#strike["),
                    Tag::Link { dest_url, .. } => links.push((dest_url.to_string(), String::new())),
                    // Images print their alt text only: nothing is fetched.
                    Tag::Image { .. } => cur.push('['),
                    Tag::HtmlBlock => {}
                    _ => {}
                }
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                match end {
                    TagEnd::Paragraph => cur.push_str("\n\n"),
                    TagEnd::Heading(_) => cur.push_str("]\n\n"),
                    TagEnd::BlockQuote(_) => cur.push_str("]\n\n"),
                    TagEnd::CodeBlock => {
                        in_code_block = false;
                        cur.push_str("]\n\n");
                    }
                    TagEnd::List(_) => cur.push_str(")\n\n"),
                    TagEnd::Item => cur.push_str("], "),
                    TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => cur.push(']'),
                    TagEnd::Link => {
                        if let Some((url, text)) = links.pop() {
                            let bare = url.trim_start_matches("mailto:");
                            if !url.is_empty() && text.trim() != url && text.trim() != bare {
                                cur.push_str(&format!("#footnote[{}]", escape(&url)));
                            }
                        }
                    }
                    TagEnd::Image => cur.push(']'),
                    TagEnd::HtmlBlock => cur.push_str("\n\n"),
                    _ => {}
                }
                if depth == 0 && !cur.trim().is_empty() {
                    blocks.push(std::mem::take(&mut cur));
                }
            }
            Event::Text(t) => {
                if in_code_block {
                    let lines: Vec<String> = t.lines().map(escape).collect();
                    cur.push_str(&lines.join(" #linebreak() "));
                    cur.push_str(" #linebreak() ");
                } else {
                    push_text(&mut cur, &mut links, &t);
                }
            }
            Event::Code(t) => {
                cur.push_str("#text(font: \"DejaVu Sans Mono\", size: 0.9em)[");
                push_text(&mut cur, &mut links, &t);
                cur.push(']');
            }
            Event::Html(t) | Event::InlineHtml(t) => push_text(&mut cur, &mut links, &t),
            Event::SoftBreak => cur.push(' '),
            Event::HardBreak => cur.push_str("#linebreak() "),
            Event::Rule => {
                blocks.push(
                    "#align(center, block(above: 1.2em, below: 1.2em, text(fill: luma(120))[\\* #h(1em) \\* #h(1em) \\*]))\n\n"
                        .to_string(),
                );
            }
            Event::FootnoteReference(t) => push_text(&mut cur, &mut links, &t),
            Event::TaskListMarker(done) => cur.push_str(if done { "☑ " } else { "☐ " }),
            Event::InlineMath(t) | Event::DisplayMath(t) => push_text(&mut cur, &mut links, &t),
        }
    }
    if !cur.trim().is_empty() {
        blocks.push(cur);
    }
    Converted { blocks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_syntax() {
        assert_eq!(escape("#set"), "\\#set");
        assert_eq!(escape("a\\b"), "a\\\\b");
        assert_eq!(escape("$x$"), "\\$x\\$");
        assert_eq!(escape("line\nnext"), "line next");
        assert_eq!(escape("é 日本"), "é 日本");
        // No backslash is ever followed by whitespace (that would be a linebreak).
        let e = escape("\\ \\\n\\");
        assert!(!e.contains("\\ ") || e.contains("\\\\ "));
    }

    #[test]
    fn markdown_structures() {
        let c = markdown_to_typst(
            "Hello **bold** and *it*.\n\n### Sub\n\n> quoted\n\n- a\n- b\n\n1. x\n2. y\n\n---\n\n[site](https://ex.com)",
        );
        let all = c.blocks.concat();
        assert!(all.contains("#strong[bold]"), "{all}");
        assert!(all.contains("#emph[it]"), "{all}");
        assert!(all.contains("#heading(level: 3, outlined: false)[Sub]"), "{all}");
        assert!(all.contains("#quote(block: true)[quoted"), "{all}");
        assert!(all.contains("#list([a], [b], )"), "{all}");
        assert!(all.contains("#enum(start: 1, [x], [y], )"), "{all}");
        assert!(all.contains("#footnote[https\\:\\/\\/ex\\.com]"), "{all}");
        assert_eq!(c.blocks.len(), 7, "{:?}", c.blocks);
    }

    #[test]
    fn h1_in_story_is_never_chapter_level() {
        let c = markdown_to_typst("# Big\n\ntext");
        assert!(c.blocks[0].starts_with("#heading(level: 2"));
    }

    #[test]
    fn raw_html_is_text() {
        let c = markdown_to_typst("<b>hi</b> there\n\n<div>block</div>\n");
        let all = c.blocks.concat();
        assert!(all.contains("\\<b\\>hi\\<\\/b\\>"), "{all}");
        assert!(all.contains("\\<div\\>block\\<\\/div\\>"), "{all}");
    }

    #[test]
    fn has_text_detects_empty() {
        assert!(!has_text(""));
        assert!(!has_text("  \n\n---\n\n"));
        assert!(has_text("a"));
    }
}
