//! One raw message to an [`InboundMail`].

use mail_parser::{HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};

use super::attachments::{attachments, Attachment};
use super::text::{clean_reply, html_to_text};

/// Larger messages are refused before parsing (a 25 MB attachment limit, as the big mail
/// providers have, grows by a third in base64).
pub const MAX_MESSAGE_BYTES: usize = 30 * 1024 * 1024;

/// What an answer needs from one received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    /// `Message-ID`, without the angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To` ids, without angle brackets.
    pub in_reply_to: Vec<String>,
    /// `References` ids, without angle brackets, oldest first.
    pub references: Vec<String>,
    /// The sender's address, lowercased.
    pub from: Option<String>,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// Every To, Cc, Delivered-To and X-Original-To address, once each, in that order. The
    /// domain is lowercased; the local part keeps its case so that a reply token in
    /// "replies+TOKEN@…" reaches [`reply_token`] as it was sent.
    pub to: Vec<String>,
    /// The decoded subject ("" when there is none).
    pub subject: String,
    pub kind: MailKind,
    /// The new words only: quoted history and signatures stripped, paragraphs kept.
    pub text: String,
    /// Photos, voice memos and the files that can't be used (to tell the family). Signature
    /// logos and tiny images are left out; a bounce has none.
    pub attachments: Vec<Attachment>,
}

/// What kind of message arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// Written by a person: an answer.
    Reply,
    /// An out-of-office or other automatic answer: never an answer, never to be answered.
    AutoReply,
    /// A delivery failure report: the question did not arrive.
    Bounce,
}

/// Why a message could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is {0} bytes, more than the 30 MB accepted")]
    TooLarge(usize),
    #[error("the message is empty")]
    Empty,
    #[error("not an e-mail message")]
    NotAMessage,
}

/// Parses one raw RFC 5322 message. Never panics, whatever the bytes.
pub fn parse(raw: &[u8]) -> Result<InboundMail, ParseError> {
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(ParseError::TooLarge(raw.len()));
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let message = MessageParser::default().parse(raw).ok_or(ParseError::NotAMessage)?;
    if message.headers().is_empty() {
        return Err(ParseError::NotAMessage);
    }

    let sender = message.from().and_then(|from| from.first());
    let from = sender.and_then(|addr| addr.address()).map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty());
    let from_name = sender.and_then(|addr| addr.name()).map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let subject = message.subject().map(|s| s.trim().to_string()).unwrap_or_default();
    let kind = kind(&message, from.as_deref(), &subject);
    let text = clean_reply(&body(&message));
    let attachments = if kind == MailKind::Bounce { Vec::new() } else { attachments(&message) };

    Ok(InboundMail {
        message_id: message.message_id().and_then(clean_id),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        from,
        from_name,
        to: recipients(&message),
        subject,
        kind,
        text,
        attachments,
    })
}

/// The token in a reply address: "replies+TOKEN@example.com" with `reply_local`
/// "replies" gives "TOKEN". The local part before the "+" is compared without regard to
/// case; the token keeps its case. `None` for any other address or an empty token.
pub fn reply_token<'a>(address: &'a str, reply_local: &str) -> Option<&'a str> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = address.rsplit_once('@')?;
    let (base, token) = local.split_once('+')?;
    if domain.is_empty() || token.is_empty() || !base.eq_ignore_ascii_case(reply_local) {
        return None;
    }
    Some(token)
}

fn clean_id(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty()).then(|| id.to_string())
}

fn ids(value: &HeaderValue) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => clean_id(id).into_iter().collect(),
        HeaderValue::TextList(list) => list.iter().filter_map(|id| clean_id(id)).collect(),
        _ => Vec::new(),
    }
}

/// "Name@Example.COM" → "Name@example.com".
fn normalize_address(address: &str) -> Option<String> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>').trim();
    let (local, domain) = address.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() || address.contains(char::is_whitespace) {
        return None;
    }
    Some(format!("{local}@{}", domain.to_lowercase()))
}

fn recipients(message: &Message) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut push = |address: Option<String>| {
        if let Some(address) = address {
            if !found.iter().any(|a| a.eq_ignore_ascii_case(&address)) {
                found.push(address);
            }
        }
    };
    let lists = message.header_values(HeaderName::To).chain(message.header_values(HeaderName::Cc));
    for list in lists.filter_map(HeaderValue::as_address) {
        for addr in list.iter() {
            push(addr.address().and_then(normalize_address));
        }
    }
    // Added by the receiving server: the envelope recipient, even when To was a list or Bcc.
    for (name, value) in message.headers_raw() {
        if name.eq_ignore_ascii_case("Delivered-To") || name.eq_ignore_ascii_case("X-Original-To") {
            let value = value.trim();
            let address = match (value.find('<'), value.rfind('>')) {
                (Some(start), Some(end)) if start < end => &value[start + 1..end],
                _ => value,
            };
            push(normalize_address(address));
        }
    }
    found
}

fn raw_header(message: &Message, name: &str) -> Option<String> {
    message
        .headers_raw()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn kind(message: &Message, from: Option<&str>, subject: &str) -> MailKind {
    let is_report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart") && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let daemon = from
        .and_then(|f| f.split('@').next())
        .is_some_and(|local| local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster"));
    if is_report || daemon {
        return MailKind::Bounce;
    }

    let auto_submitted = raw_header(message, "Auto-Submitted").is_some_and(|value| {
        let value = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        !value.is_empty() && value != "no"
    });
    let autoreply_header = ["X-Autoreply", "X-Autorespond"].iter().any(|name| raw_header(message, name).is_some());
    let precedence = raw_header(message, "Precedence")
        .is_some_and(|value| matches!(value.trim().to_ascii_lowercase().as_str(), "bulk" | "auto_reply" | "junk"));
    let subject = subject.to_lowercase();
    let auto_subject =
        ["out of office", "automatic reply", "auto:", "autoreply:"].iter().any(|p| subject.starts_with(p));
    if auto_submitted || autoreply_header || precedence || auto_subject {
        MailKind::AutoReply
    } else {
        MailKind::Reply
    }
}

pub(super) fn part_at<'a>(message: &'a Message<'a>, id: u32) -> Option<&'a MessagePart<'a>> {
    message.parts.get(id as usize)
}

/// The body as text: the text/plain parts if there are any (joined: Apple Mail splits the
/// text around an inline photo), else the HTML parts converted.
fn body(message: &Message) -> String {
    let plain: Vec<&str> = message
        .text_body
        .iter()
        .filter_map(|&id| part_at(message, id))
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(text.as_ref()),
            _ => None,
        })
        .collect();
    if !plain.is_empty() {
        return plain.join("\n");
    }
    message
        .html_body
        .iter()
        .filter_map(|&id| part_at(message, id))
        .filter_map(|part| match &part.body {
            PartType::Html(html) => Some(html_to_text(html)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::replies::AttachmentKind;

    const TOKEN: &str = "q7Hk2mZpX9";
    const REPLY_ADDRESS: &str = "replies+q7Hk2mZpX9@mail.mystoryflow.com";

    fn token_in(mail: &InboundMail) -> Option<&str> {
        mail.to.iter().find_map(|a| reply_token(a, "replies"))
    }

    #[test]
    fn gmail_plain_reply() {
        let mail = parse(include_bytes!("../../../tests/mail/gmail_plain_reply.eml")).unwrap();
        assert_eq!(mail.kind, MailKind::Reply);
        assert_eq!(mail.message_id.as_deref(), Some("CAF3xQ2k9pL7rTz=u8W1vN5sYbQ@mail.gmail.com"));
        assert_eq!(mail.in_reply_to, ["question.4b1f0c2e@mail.mystoryflow.com"]);
        assert_eq!(mail.references, ["question.4b1f0c2e@mail.mystoryflow.com"]);
        assert_eq!(mail.from.as_deref(), Some("margaret.ellis@gmail.com"));
        assert_eq!(mail.from_name.as_deref(), Some("Margaret Ellis"));
        assert_eq!(mail.subject, "Re: What was your first job?");
        assert_eq!(mail.to, [REPLY_ADDRESS]);
        assert_eq!(token_in(&mail), Some(TOKEN));
        // text/plain preferred over the HTML alternative; quoted-printable and UTF-8 decoded;
        // the three blank lines became one; "On … wrote:" wrapped onto two lines cut.
        assert_eq!(
            mail.text,
            "My first job was at Hartley's bakery on Main Street. I was fourteen and I swept\n\
             the floor before school, then again after the café next door closed.\n\
             \n\
             Mr. Hartley paid me a quarter an hour and all the broken biscuits I could eat.\n\
             \n\
             That was 1951."
        );
        assert!(mail.attachments.is_empty());
    }

    #[test]
    fn outlook_html_reply() {
        let mail = parse(include_bytes!("../../../tests/mail/outlook_html_reply.eml")).unwrap();
        assert_eq!(mail.kind, MailKind::Reply);
        assert_eq!(
            mail.message_id.as_deref(),
            Some("DB9PR02MB7481C2E3F0A1B2C3D4E5F6A7B8C9D0E1F2@DB9PR02MB7481.eurprd02.prod.outlook.com")
        );
        assert_eq!(mail.in_reply_to, ["question.77aa01@mail.mystoryflow.com"]);
        assert_eq!(mail.references, ["question.77aa01@mail.mystoryflow.com", "reminder.77aa01@mail.mystoryflow.com"]);
        assert_eq!(mail.from.as_deref(), Some("bob.ellis@outlook.com"));
        assert_eq!(mail.from_name.as_deref(), Some("Robert Ellis"));
        assert_eq!(mail.subject, "RE: Where did you live as a child?");
        // To, then Cc, then X-Original-To (the same address as To: once).
        assert_eq!(mail.to, [REPLY_ADDRESS, "susan.ellis@example.com"]);
        assert_eq!(token_in(&mail), Some(TOKEN));
        // HTML only: converted, "Get Outlook for iOS" and the From/Sent/To/Subject block
        // after the rule cut, <br> kept as a line break.
        assert_eq!(
            mail.text,
            "We moved to Leeds in the winter of 1962.\n\
             \n\
             Dad had found work at the mill, and we lived above a greengrocer\u{2019}s on Briggate.\n\
             It was so cold the windows froze on the inside."
        );
        assert!(mail.attachments.is_empty());
    }

    #[test]
    fn iphone_photo_reply() {
        let mail = parse(include_bytes!("../../../tests/mail/iphone_photo_reply.eml")).unwrap();
        assert_eq!(mail.kind, MailKind::Reply);
        assert_eq!(mail.message_id.as_deref(), Some("5F0E2B7C-1D3A-4C5B-8E9F-0A1B2C3D4E5F@icloud.com"));
        assert_eq!(mail.in_reply_to, ["question.9c3e22@mail.mystoryflow.com"]);
        assert_eq!(mail.from.as_deref(), Some("grandma.joan@icloud.com"));
        assert_eq!(mail.from_name.as_deref(), Some("Joan Whitfield"));
        assert_eq!(mail.to, [REPLY_ADDRESS]);
        assert_eq!(token_in(&mail), Some(TOKEN));
        // The two text parts around the photo joined; "Sent from my iPhone" and the quoted
        // question (its "On … wrote:" line quoted too) gone.
        assert_eq!(
            mail.text,
            "This is me and Grandpa at Blackpool in 1958. He won me a goldfish that day and it lived for eleven years!"
        );
        assert_eq!(mail.attachments.len(), 1);
        let photo = &mail.attachments[0];
        assert_eq!(photo.kind, AttachmentKind::Photo);
        assert_eq!(photo.content_type, "image/jpeg");
        assert_eq!(photo.file_name.as_deref(), Some("IMG_0412.jpeg"));
        assert_eq!(photo.bytes.len(), 3685);
        assert_eq!(&photo.bytes[..2], b"\xff\xd8");
    }

    #[test]
    fn voice_memo_reply() {
        let mail = parse(include_bytes!("../../../tests/mail/voice_memo_reply.eml")).unwrap();
        assert_eq!(mail.kind, MailKind::Reply);
        assert_eq!(mail.message_id.as_deref(), Some("20261124164509.GA31415@example.org"));
        assert_eq!(mail.in_reply_to, ["question.aa11bb@mail.mystoryflow.com"]);
        assert_eq!(mail.from.as_deref(), Some("joan.whitfield@example.org"));
        assert_eq!(mail.to, [REPLY_ADDRESS]);
        assert_eq!(token_in(&mail), Some(TOKEN));
        // 8-bit UTF-8 body; the "-- " signature cut.
        assert_eq!(
            mail.text,
            "I recorded this one instead of typing it \u{2014} my eyes aren't what they were.\n\nLove, Mum"
        );
        assert_eq!(mail.attachments.len(), 1);
        let memo = &mail.attachments[0];
        assert_eq!(memo.kind, AttachmentKind::Audio);
        assert_eq!(memo.content_type, "audio/x-m4a");
        assert_eq!(memo.file_name.as_deref(), Some("Voice Memo 24 Nov.m4a"));
        assert_eq!(memo.bytes.as_slice(), include_bytes!("../../../tests/fixtures/media/speech.m4a"));
    }

    #[test]
    fn out_of_office() {
        let mail = parse(include_bytes!("../../../tests/mail/out_of_office.eml")).unwrap();
        assert_eq!(mail.kind, MailKind::AutoReply);
        assert_eq!(mail.message_id.as_deref(), Some("AM0PR02MB5F3A9C1B2@AM0PR02MB5F3A.eurprd02.prod.outlook.com"));
        assert_eq!(mail.in_reply_to, ["question.77aa01@mail.mystoryflow.com"]);
        assert_eq!(mail.from.as_deref(), Some("bob.ellis@outlook.com"));
        assert_eq!(token_in(&mail), Some(TOKEN));
        assert_eq!(
            mail.text,
            "I am away until 1 December with limited access to email.\n\nFor anything urgent please call Susan."
        );
        assert!(mail.attachments.is_empty());
    }

    #[test]
    fn bounce() {
        let mail = parse(include_bytes!("../../../tests/mail/bounce.eml")).unwrap();
        assert_eq!(mail.kind, MailKind::Bounce);
        assert_eq!(mail.message_id.as_deref(), Some("65f1a2b3.050a0220.bounce.0001@mx.google.com"));
        assert_eq!(mail.in_reply_to, ["question.4b1f0c2e@mail.mystoryflow.com"]);
        assert_eq!(mail.from.as_deref(), Some("mailer-daemon@googlemail.com"));
        assert_eq!(mail.to, [REPLY_ADDRESS]);
        assert_eq!(token_in(&mail), Some(TOKEN));
        assert_eq!(
            mail.text,
            "** Address not found **\n\nYour message wasn't delivered to old.address@gmail.com because the address \
             couldn't be found, or is unable to receive mail."
        );
        // The delivery-status and the returned message are not attachments of an answer.
        assert!(mail.attachments.is_empty());
    }

    #[test]
    fn heic_and_signature_logo() {
        let mail = parse(include_bytes!("../../../tests/mail/heic_logo_reply.eml")).unwrap();
        assert_eq!(mail.kind, MailKind::Reply);
        assert_eq!(mail.message_id.as_deref(), Some("000a01db3f2e$4c5d6e70$e5184b50$@palmerflorists.example"));
        assert_eq!(mail.in_reply_to, ["question.cc33dd@mail.mystoryflow.com"]);
        assert_eq!(mail.from.as_deref(), Some("dorothy@palmerflorists.example"));
        assert_eq!(mail.from_name.as_deref(), Some("Dorothy Palmer"));
        // Cc's domain lowercased, its local part as sent.
        assert_eq!(mail.to, [REPLY_ADDRESS, "DOT.PALMER@example.net"]);
        assert_eq!(token_in(&mail), Some(TOKEN));
        // The plain alternative, cut at "-----Original Message-----".
        assert_eq!(
            mail.text,
            "Here is the house on Elm Street where your father was born.\n\
             \n\
             The photo is from my new phone, I hope it comes through.\n\
             \n\
             Warm regards,\n\
             Dorothy\n\
             \n\
             Dorothy Palmer | Palmer Florists"
        );
        // The 5 KB logo shown by cid: from the HTML is left out; the HEIC photo is kept to
        // tell the family why it can't be used.
        assert_eq!(mail.attachments.len(), 1);
        let heic = &mail.attachments[0];
        assert_eq!(heic.content_type, "image/heic");
        assert_eq!(heic.file_name.as_deref(), Some("IMG_2231.HEIC"));
        assert_eq!(heic.bytes.len(), 3024);
        let AttachmentKind::Unsupported(words) = &heic.kind else { panic!("HEIC should be unsupported: {heic:?}") };
        assert!(words.starts_with("a HEIC photo (IMG_2231.HEIC) could not be added"), "{words}");
        assert!(words.contains("JPEG"), "{words}");
    }

    #[test]
    fn auto_reply_markers() {
        let base = "From: a@example.com\r\nTo: replies+t@x.example\r\nSubject: Re: Q\r\n";
        let cases: &[(&str, &str, MailKind)] = &[
            ("", "", MailKind::Reply),
            ("Auto-Submitted: no\r\n", "", MailKind::Reply),
            ("Auto-Submitted: auto-generated\r\n", "", MailKind::AutoReply),
            ("Auto-Submitted: Auto-Replied; owner-email=a@example.com\r\n", "", MailKind::AutoReply),
            ("X-Autoreply: yes\r\n", "", MailKind::AutoReply),
            ("X-Autorespond: Out of office\r\n", "", MailKind::AutoReply),
            ("Precedence: bulk\r\n", "", MailKind::AutoReply),
            ("Precedence: auto_reply\r\n", "", MailKind::AutoReply),
            ("Precedence: junk\r\n", "", MailKind::AutoReply),
            ("Precedence: list\r\n", "", MailKind::Reply),
            ("", "Out of Office: Q", MailKind::AutoReply),
            ("", "Automatic reply: Q", MailKind::AutoReply),
            ("", "Auto: Q", MailKind::AutoReply),
            ("", "Autumn in the garden", MailKind::Reply),
            ("Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n", "", MailKind::Bounce),
        ];
        for (headers, subject, expected) in cases {
            let raw = if subject.is_empty() {
                format!("{base}{headers}\r\nHello\r\n")
            } else {
                format!("From: a@example.com\r\nTo: t@x.example\r\nSubject: {subject}\r\n{headers}\r\nHello\r\n")
            };
            assert_eq!(parse(raw.as_bytes()).unwrap().kind, *expected, "{headers:?} {subject:?}");
        }
        let postmaster = parse(b"From: Postmaster@example.com\r\nSubject: x\r\n\r\nUndeliverable").unwrap();
        assert_eq!(postmaster.kind, MailKind::Bounce);
    }

    #[test]
    fn reply_tokens() {
        assert_eq!(reply_token("replies+AbC123@mail.example.com", "replies"), Some("AbC123"));
        assert_eq!(reply_token("Replies+AbC123@mail.example.com", "replies"), Some("AbC123"));
        assert_eq!(reply_token("<replies+AbC123@mail.example.com>", "replies"), Some("AbC123"));
        assert_eq!(reply_token("replies+a+b@x", "replies"), Some("a+b"));
        assert_eq!(reply_token("replies@mail.example.com", "replies"), None);
        assert_eq!(reply_token("replies+@mail.example.com", "replies"), None);
        assert_eq!(reply_token("other+AbC@mail.example.com", "replies"), None);
        assert_eq!(reply_token("repliesx+AbC@mail.example.com", "replies"), None);
        assert_eq!(reply_token("replies+AbC", "replies"), None);
        assert_eq!(reply_token("replies+AbC@", "replies"), None);
        assert_eq!(reply_token("", "replies"), None);
    }

    #[test]
    fn tiny_images_are_dropped_and_octet_stream_is_guessed() {
        let big = vec![0x42u8; 4000];
        let tiny = vec![0x42u8; 500];
        let b64 = |bytes: &[u8]| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(bytes)
        };
        let raw = format!(
            "From: a@example.com\r\nTo: replies+t@x.example\r\nSubject: Re: Q\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nTwo files.\r\n\
             --b\r\nContent-Type: image/png; name=\"spacer.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
             --b\r\nContent-Type: application/octet-stream; name=\"IMG_1.JPG\"\r\n\
             Content-Disposition: attachment; filename=\"IMG_1.JPG\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
             --b--\r\n",
            b64(&tiny),
            b64(&big)
        );
        let mail = parse(raw.as_bytes()).unwrap();
        assert_eq!(mail.text, "Two files.");
        assert_eq!(mail.attachments.len(), 1);
        assert_eq!(mail.attachments[0].content_type, "image/jpeg");
        assert_eq!(mail.attachments[0].kind, AttachmentKind::Photo);
        assert_eq!(mail.attachments[0].bytes, big);
    }

    #[test]
    fn refuses_empty_and_oversized() {
        assert_eq!(parse(b""), Err(ParseError::Empty));
        assert_eq!(parse(b" \r\n\r\n"), Err(ParseError::Empty));
        let huge = vec![b'a'; MAX_MESSAGE_BYTES + 1];
        assert_eq!(parse(&huge), Err(ParseError::TooLarge(MAX_MESSAGE_BYTES + 1)));
    }

    #[test]
    fn garbage_never_panics() {
        // A small xorshift generator: the same bytes every run.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let samples: [&[u8]; 7] = [
            include_bytes!("../../../tests/mail/gmail_plain_reply.eml"),
            include_bytes!("../../../tests/mail/outlook_html_reply.eml"),
            include_bytes!("../../../tests/mail/iphone_photo_reply.eml"),
            include_bytes!("../../../tests/mail/voice_memo_reply.eml"),
            include_bytes!("../../../tests/mail/out_of_office.eml"),
            include_bytes!("../../../tests/mail/bounce.eml"),
            include_bytes!("../../../tests/mail/heic_logo_reply.eml"),
        ];
        for round in 0..300 {
            let len = (next() % 4096) as usize;
            let random: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = parse(&random);
            // Real messages cut short and with bytes flipped.
            let sample = samples[round % samples.len()];
            let cut = &sample[..(next() as usize) % (sample.len() + 1)];
            let _ = parse(cut);
            let mut flipped = sample.to_vec();
            for _ in 0..20 {
                let at = (next() as usize) % flipped.len();
                flipped[at] = next() as u8;
            }
            let _ = parse(&flipped);
        }
        let odd: [&[u8]; 4] =
            [b"\0", b"From:", b":\r\n\r\n", b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x"];
        for raw in odd {
            let _ = parse(raw);
        }
    }
}
