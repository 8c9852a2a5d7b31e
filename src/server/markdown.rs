//! Story text is Markdown; it is shown as HTML that can carry no script or raw markup.
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Where story text may take pictures from: our own media routes only, so no reader's
/// browser is ever sent to another host (a tracking pixel planted in a story).
const OWN_MEDIA: &str = "/media/";

/// Renders Markdown (bold, italic, headings, quotes, lists…) to sanitized HTML. Raw HTML
/// typed into a story is shown as the text it is, never as elements; pictures are kept only
/// from our own `/media/` paths (others show their description). ammonia then sanitizes the
/// result, so even a bug above could not let a script or an event handler through.
pub fn to_safe_html(markdown: &str) -> String {
    let mut skipping_image = 0usize;
    let events = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Image { ref dest_url, .. }) if !is_own_media(dest_url) => {
            skipping_image += 1;
            None
        }
        Event::End(TagEnd::Image) if skipping_image > 0 => {
            skipping_image -= 1;
            None
        }
        other => Some(other),
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") if !value.starts_with(OWN_MEDIA) => None,
            _ => Some(value.into()),
        })
        .clean(&unsafe_html)
        .to_string()
}

fn is_own_media(url: &CowStr) -> bool {
    url.starts_with(OWN_MEDIA) && !url.contains("..")
}

/// Escapes text for HTML, then turns the \u{1}…\u{2} markers Postgres' ts_headline put
/// around matches into `<mark>` (the story text itself may contain anything).
pub fn highlight(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 16);
    for c in snippet.chars() {
        match c {
            '\u{1}' => out.push_str("<mark>"),
            '\u{2}' => out.push_str("</mark>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_formatting() {
        let html = to_safe_html("# Farm\n\n**bold** and *soft*\n\n> said Mum\n\n- one\n- two");
        assert!(html.contains("<h1>Farm</h1>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<em>soft</em>"));
        assert!(html.contains("<blockquote>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn scripts_and_handlers_never_survive() {
        let html =
            to_safe_html("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))");
        assert!(!html.contains("<script"), "{html}");
        // The handler survives only as the harmless text the person typed.
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
        assert!(!html.contains("href=\"javascript:"), "{html}");
    }

    #[test]
    fn raw_html_is_shown_as_text_never_as_elements() {
        let html = to_safe_html("Look: <img src=x> and <b>bold</b>\n\n<div class=\"x\">block</div>\n");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;img src=x&gt;"), "{html}");
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn pictures_come_only_from_our_own_media() {
        let html =
            to_safe_html("![pixel](https://elsewhere.example/pixel.gif) ![Mum](/media/campaigns/1/photos/2/display)");
        assert!(!html.contains("elsewhere.example"), "{html}");
        assert!(html.contains("pixel"), "the description stays as text: {html}");
        assert!(html.contains(r#"<img src="/media/campaigns/1/photos/2/display" alt="Mum">"#), "{html}");
        let sneaky = to_safe_html("![x](//elsewhere.example/p.gif) ![y](/media/../../elsewhere)");
        assert!(!sneaky.contains("<img"), "{sneaky}");
    }

    #[test]
    fn highlights_escape_everything_but_marks() {
        assert_eq!(highlight("a \u{1}<b>\u{2} c"), "a <mark>&lt;b&gt;</mark> c");
    }
}
