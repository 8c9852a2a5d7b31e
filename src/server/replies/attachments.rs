//! What a received message carries: its attached files, without signature logos, spacers
//! and tracking pixels, each classified as a photo, a recording, or something that can't be
//! used (with words for the family saying what it was).

use std::collections::HashSet;

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::parse::part_at;

/// An image referenced by `cid:` from the HTML body and smaller than this is a logo in a
/// signature, not a photo.
const INLINE_LOGO_MAX_BYTES: usize = 10 * 1024;
/// No photo is this small: spacers, icons, tracking pixels.
const TINY_IMAGE_MAX_BYTES: usize = 2 * 1024;

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: Option<String>,
    /// Lowercased "type/subtype", without parameters.
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub kind: AttachmentKind,
}

/// What an attachment can become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentKind {
    /// A JPEG or PNG photo.
    Photo,
    /// A voice memo or other recording in a format the media pipeline reads.
    Audio,
    /// Can't be used; the words say what it was and what to do, for the family.
    Unsupported(String),
}

/// The Content-IDs the HTML bodies show inline ("cid:…"), lowercased, without brackets.
fn html_cids(message: &Message) -> HashSet<String> {
    let mut cids = HashSet::new();
    for part in message.html_body.iter().filter_map(|&id| part_at(message, id)) {
        let PartType::Html(html) = &part.body else { continue };
        let lower = html.to_lowercase();
        let mut rest = lower.as_str();
        while let Some(at) = rest.find("cid:") {
            rest = &rest[at + 4..];
            let end = rest.find(|c: char| matches!(c, '"' | '\'' | '>' | ')' | '<') || c.is_whitespace());
            let cid = &rest[..end.unwrap_or(rest.len())];
            if !cid.is_empty() {
                cids.insert(cid.trim_start_matches('<').trim_end_matches('>').to_string());
            }
        }
    }
    cids
}

pub(super) fn attachments(message: &Message) -> Vec<Attachment> {
    let cids = html_cids(message);
    let mut found = Vec::new();
    for part in message.attachments() {
        let bytes = part.contents();
        if bytes.is_empty() {
            continue;
        }
        let file_name = part.attachment_name().map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let content_type = content_type(part, file_name.as_deref());
        if content_type.starts_with("image/") {
            let cid = part.content_id().map(|c| c.trim().trim_start_matches('<').trim_end_matches('>').to_lowercase());
            let shown_inline = cid.is_some_and(|cid| cids.contains(&cid));
            if bytes.len() < TINY_IMAGE_MAX_BYTES || (shown_inline && bytes.len() < INLINE_LOGO_MAX_BYTES) {
                continue;
            }
        }
        let kind = classify(&content_type, file_name.as_deref());
        found.push(Attachment { file_name, content_type, bytes: bytes.to_vec(), kind });
    }
    found
}

/// The part's "type/subtype", lowercased; for a generic one, a guess from the file name
/// (some clients send every file as application/octet-stream).
fn content_type(part: &MessagePart, file_name: Option<&str>) -> String {
    if matches!(part.body, PartType::Message(_)) {
        return "message/rfc822".to_string();
    }
    let declared = part
        .content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_string(),
        })
        .map(|ct| ct.trim().to_ascii_lowercase())
        .filter(|ct| ct.contains('/'));
    match declared {
        Some(ct) if ct != "application/octet-stream" => ct,
        _ => file_name.and_then(type_from_extension).unwrap_or("application/octet-stream").to_string(),
    }
}

fn type_from_extension(file_name: &str) -> Option<&'static str> {
    let (_, ext) = file_name.rsplit_once('.')?;
    Some(match ext.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "m4a" => "audio/x-m4a",
        "aac" => "audio/aac",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "weba" => "audio/webm",
        _ => return None,
    })
}

fn classify(content_type: &str, file_name: Option<&str>) -> AttachmentKind {
    let (kind, subtype) = content_type.split_once('/').unwrap_or((content_type, ""));
    let named = |what: &str| match file_name {
        Some(name) => format!("{what} ({name})"),
        None => what.to_string(),
    };
    match (kind, subtype) {
        ("image", "jpeg" | "jpg" | "pjpeg" | "png") => AttachmentKind::Photo,
        ("image", "heic" | "heif" | "heic-sequence" | "heif-sequence") => AttachmentKind::Unsupported(format!(
            "{} could not be added: it is in the HEIC format iPhones use, which can't be shown here yet. \
             Please ask for it to be sent again as a JPEG (on the iPhone: Settings, Camera, Formats, \
             \"Most Compatible\"), or take a screenshot of the photo and send that.",
            named("a HEIC photo")
        )),
        ("image", _) => AttachmentKind::Unsupported(format!(
            "{} could not be added: only JPEG and PNG photos can be used. Please ask for it as a JPEG.",
            named(&format!("a picture in {} format", subtype.to_uppercase()))
        )),
        (
            "audio",
            "mp4" | "x-m4a" | "m4a" | "aac" | "x-aac" | "mpeg" | "mp3" | "wav" | "x-wav" | "wave" | "vnd.wave" | "ogg"
            | "opus" | "webm",
        ) => AttachmentKind::Audio,
        ("audio", _) => AttachmentKind::Unsupported(format!(
            "{} could not be added: its format can't be played here. A voice memo from the phone's \
             Voice Memos or Recorder app works.",
            named("a recording")
        )),
        ("video", _) => AttachmentKind::Unsupported(format!(
            "{} could not be added: videos can't be part of a story yet. A photo or a voice recording can.",
            named("a video")
        )),
        ("message", _) => AttachmentKind::Unsupported(format!(
            "{} could not be added: please copy its words into the reply instead.",
            named("an attached e-mail")
        )),
        _ => AttachmentKind::Unsupported(format!(
            "{} could not be added: only photos (JPEG, PNG) and voice recordings can be.",
            named("a file")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_kinds() {
        assert_eq!(classify("image/png", None), AttachmentKind::Photo);
        assert_eq!(classify("image/jpeg", Some("a.jpg")), AttachmentKind::Photo);
        for audio in ["audio/mp4", "audio/x-m4a", "audio/aac", "audio/mpeg", "audio/wav", "audio/ogg", "audio/webm"] {
            assert_eq!(classify(audio, None), AttachmentKind::Audio, "{audio}");
        }
        for other in ["image/heif", "image/gif", "audio/amr", "video/quicktime", "application/pdf", "message/rfc822"] {
            assert!(matches!(classify(other, Some("f")), AttachmentKind::Unsupported(_)), "{other}");
        }
        assert_eq!(type_from_extension("Memo.M4A"), Some("audio/x-m4a"));
        assert_eq!(type_from_extension("photo.heic"), Some("image/heic"));
        assert_eq!(type_from_extension("noext"), None);
    }
}
