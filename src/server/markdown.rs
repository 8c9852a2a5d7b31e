//! Story text is Markdown; it is shown as HTML that can carry no script or raw markup.
use pulldown_cmark::{html, Options, Parser};

/// Renders Markdown (bold, italic, headings, quotes, lists…) to sanitized HTML. Raw HTML in
/// the text is escaped by ammonia's allowlist, so `<script>` shows nothing and runs nothing.
pub fn to_safe_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH);
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
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
        let html = to_safe_html("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))");
        assert!(!html.contains("<script"));
        assert!(!html.contains("onerror"));
        assert!(!html.contains("javascript:"));
    }

    #[test]
    fn highlights_escape_everything_but_marks() {
        assert_eq!(highlight("a \u{1}<b>\u{2} c"), "a <mark>&lt;b&gt;</mark> c");
    }
}
