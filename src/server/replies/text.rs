//! The storyteller's new words out of a reply's body: quoted history and signatures cut,
//! paragraphs kept.

/// Renders an HTML body as plain text: block elements become lines, `<p>` and `<br><br>`
/// paragraphs, `<blockquote>` lines start with "> " (so [`clean_reply`] drops them),
/// tables are read cell by cell, nothing is wrapped. Links keep their text in brackets.
pub fn html_to_text(html: &str) -> String {
    // html2text is not meant to panic, but this is a stranger's HTML: a panic here must
    // not take the mail worker with it.
    let rendered = std::panic::catch_unwind(|| {
        html2text::config::plain_no_decorate()
            .raw_mode(true)
            .allow_width_overflow()
            .string_from_read(html.as_bytes(), 10_000)
    });
    let text = match rendered {
        Ok(Ok(text)) => text,
        // Still better than nothing: mail-parser's own tag stripper.
        _ => mail_parser::decoders::html::html_to_text(html),
    };
    // `<hr>` renders as a full-width rule of box-drawing characters.
    text.lines().map(|line| if is_rule(line) { "" } else { line }).collect::<Vec<_>>().join("\n")
}

/// The new words of a reply: quoted history (Gmail's and Apple Mail's "On … wrote:",
/// Outlook's "From:/Sent:/To:/Subject:" block and "-----Original Message-----") and
/// everything after it cut; lines starting with ">" dropped (answers written between
/// quoted lines stay); a signature after "-- " cut; "Sent from my iPhone"-style lines
/// dropped. Lines keep their breaks, trailing whitespace goes, and runs of blank lines
/// become one blank line between paragraphs.
pub fn clean_reply(body: &str) -> String {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = body.split('\n').collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if starts_quote(&lines, i) || is_signature_separator(line) {
            break;
        }
        let trimmed = line.trim_start_matches(is_space);
        if trimmed.starts_with('>') || is_device_signature(trimmed.trim_end_matches(is_space)) {
            continue;
        }
        kept.push(line.trim_end_matches(is_space));
    }
    // The rule or underscores that Outlook puts above its header block.
    while kept.last().is_some_and(|line| line.is_empty() || is_rule(line)) {
        kept.pop();
    }
    let mut out = String::new();
    let mut blank_run = false;
    for line in kept {
        if line.is_empty() {
            blank_run = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run { "\n\n" } else { "\n" });
        }
        blank_run = false;
        out.push_str(line);
    }
    out
}

/// Whitespace, including the no-break spaces that HTML mail is full of and the byte order
/// mark some clients leave at the start of a part.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

/// A line of one repeated rule character: "-----", "_____", "─────", "=====".
fn is_rule(line: &str) -> bool {
    let line = line.trim_matches(is_space);
    let mut chars = line.chars();
    let Some(first) = chars.next() else { return false };
    matches!(first, '-' | '_' | '─' | '━' | '=' | '—') && line.chars().count() >= 5 && chars.all(|c| c == first)
}

/// "-- " (RFC 3676's signature separator); also "--", as some clients trim the space.
fn is_signature_separator(line: &str) -> bool {
    line == "-- " || line == "--"
}

/// The line a phone or a mail app adds by itself.
fn is_device_signature(line: &str) -> bool {
    if line.chars().count() > 60 {
        return false;
    }
    // "[…]" is how a link comes out of an HTML body: "Get [Outlook for iOS]".
    let lower: String = line.to_lowercase().chars().filter(|c| !matches!(c, '[' | ']')).collect();
    let lower = lower.trim_end_matches(['.', '!']);
    if let Some(device) = lower.strip_prefix("sent from my ") {
        const DEVICES: [&str; 12] = [
            "iphone",
            "ipad",
            "android",
            "samsung",
            "galaxy",
            "mobile",
            "phone",
            "smartphone",
            "blackberry",
            "huawei",
            "pixel",
            "tablet",
        ];
        return DEVICES.iter().any(|d| device.starts_with(d));
    }
    ["sent from outlook", "get outlook for ", "sent from yahoo mail", "sent from mail for windows", "sent from aol"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
}

/// Whether the quoted history starts at `lines[i]`.
fn starts_quote(lines: &[&str], i: usize) -> bool {
    let line = clean_header_line(lines[i]);
    if line.is_empty() {
        return false;
    }
    let lower = line.to_lowercase();
    // "-----Original Message-----", "----- Original Message -----".
    if lower.trim_matches(['-', ' ']) == "original message" && lower.starts_with("--") {
        return true;
    }
    // Gmail: "On Mon, 23 Nov 2026 at 09:00, Name <a@b> wrote:", Apple Mail: "On 23 Nov 2026,
    // at 09:00, Name <a@b> wrote:". Long addresses push "wrote:" onto the next line.
    if lower.starts_with("on ") {
        if lower.ends_with("wrote:") {
            return true;
        }
        if let Some(next) = lines.get(i + 1) {
            let next = clean_header_line(next).to_lowercase();
            if next.ends_with("wrote:") && next.chars().count() <= 80 && !next.starts_with("on ") {
                return true;
            }
        }
    }
    // Outlook: "From: …" followed by "Sent:"/"Date:" and "To:"/"Subject:" within a few lines.
    if header_name(&lower) == Some("from") {
        let following: Vec<&str> = lines[i + 1..]
            .iter()
            .map(|l| clean_header_line(l))
            .filter(|l| !l.is_empty())
            .take(5)
            .filter_map(|l| header_name(&l.to_lowercase()))
            .collect();
        let has = |names: &[&str]| following.iter().any(|n| names.contains(n));
        return has(&["sent", "date"]) && has(&["to", "subject"]);
    }
    false
}

/// A line without surrounding spaces and the bold marks plain-text renderings of
/// Outlook's header block carry ("*From:* …").
fn clean_header_line(line: &str) -> &str {
    line.trim_matches(is_space).trim_start_matches('*')
}

/// The header name a line starts with, lowercased, when it is one Outlook's block uses.
fn header_name(lower: &str) -> Option<&'static str> {
    let (name, _) = lower.split_once(':')?;
    let name = name.trim_end_matches('*').trim();
    ["from", "sent", "date", "to", "subject", "cc"].into_iter().find(|n| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_quotes_and_signatures() {
        let cases: &[(&str, &str, &str)] = &[
            ("plain", "Hello there.\n\nSecond paragraph.", "Hello there.\n\nSecond paragraph."),
            ("trailing spaces and CRLF", "One  \r\ntwo\t\r\n\r\n\r\n\r\nthree\r\n", "One\ntwo\n\nthree"),
            ("leading blank lines", "\n\n  \nHi", "Hi"),
            ("gmail one line", "Yes.\n\nOn Mon, 23 Nov 2026 at 09:00, MyStoryFlow <r@x> wrote:\n> Q?\n", "Yes."),
            (
                "gmail wrapped",
                "Yes.\n\nOn Mon, 23 Nov 2026 at 09:00, MyStoryFlow <replies+abc@mail.example.com>\nwrote:\n\n> Q?",
                "Yes.",
            ),
            ("apple mail", "Sure.\n\nOn 23 Nov 2026, at 09:00, MyStoryFlow <r@x> wrote:\n\nQ?", "Sure."),
            ("apple iOS quoted header", "Sure.\n\n> On Nov 23, 2026, at 9:00\u{202f}AM, M <r@x> wrote:\n>\n> Q?", "Sure."),
            ("inline answers survive", "> Where?\nLeeds.\n> When?\n1962.", "Leeds.\n1962."),
            (
                "outlook block",
                "Leeds.\n\n________________________________\nFrom: MyStoryFlow <r@x>\nSent: Monday, November 23, 2026 9:00 AM\nTo: Bob <b@x>\nSubject: Q\n\nQ?",
                "Leeds.",
            ),
            (
                "outlook bold block",
                "Leeds.\n\n*From:* MyStoryFlow <r@x>\n*Sent:* Monday\n*To:* Bob\n*Subject:* Q\nQ?",
                "Leeds.",
            ),
            ("a sentence starting From: stays", "From: my mother, a letter.\nIt said hello.", "From: my mother, a letter.\nIt said hello."),
            ("original message", "Done.\n-----Original Message-----\nFrom: x\nQ?", "Done."),
            ("spaced original message", "Done.\n----- Original Message -----\nQ?", "Done."),
            ("signature", "Love, Mum\n\n-- \nJoan\n07700 900123", "Love, Mum"),
            ("signature without the space", "Love\n--\nJoan", "Love"),
            ("a dash line is not a signature", "Love\n-- and more --\nJoan", "Love\n-- and more --\nJoan"),
            ("iphone", "Photo attached.\n\nSent from my iPhone", "Photo attached."),
            ("ipad", "Photo attached.\n\nSent from my iPad", "Photo attached."),
            ("android", "Ok\n\nSent from my Android", "Ok"),
            ("galaxy", "Ok\n\nSent from my Galaxy", "Ok"),
            ("outlook for android", "Ok\n\nSent from Outlook for Android", "Ok"),
            ("get outlook", "Ok\nGet Outlook for iOS", "Ok"),
            ("get outlook as a link", "Ok\nGet [Outlook for iOS]", "Ok"),
            ("a story about sending", "Sent from my hometown, the letter took a week.", "Sent from my hometown, the letter took a week."),
            ("on … without wrote stays", "On Sundays we went to church.\nAlways.", "On Sundays we went to church.\nAlways."),
            ("quote only", "> Q?\n>\n", ""),
            ("empty", "", ""),
            ("nbsp lines are blank", "a\n\u{a0}\n\u{a0}\nb", "a\n\nb"),
        ];
        for (name, input, expected) in cases {
            assert_eq!(clean_reply(input), *expected, "case: {name}");
        }
    }

    #[test]
    fn html_paragraphs_become_lines() {
        let text = html_to_text("<p>One</p><p>Two<br>and a half</p><hr><blockquote>Quoted</blockquote>");
        assert_eq!(clean_reply(&text), "One\n\nTwo\nand a half");
    }

    #[test]
    fn rules() {
        assert!(is_rule("________________________________"));
        assert!(is_rule("──────────"));
        assert!(!is_rule("--"));
        assert!(!is_rule("-- x --"));
    }
}
