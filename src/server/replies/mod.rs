//! Answers by e-mail (issue #18): one raw RFC 5322 message, as the mail server hands it
//! over, turned into what an answer needs — who wrote, to which reply address, which
//! question it answers (`In-Reply-To`/`References`), the storyteller's new words without
//! the quoted question or signatures, and the photos and voice memos attached.
//!
//! `parse`, `attachments` and `text` are pure; `receive` decides whose answer it is (the signed reply key,
//! the sender) and stores it.

mod attachments;
pub mod imap;
mod parse;
mod receive;
mod text;

pub use attachments::{Attachment, AttachmentKind};
pub use parse::{parse, reply_token, InboundMail, MailKind, ParseError, MAX_MESSAGE_BYTES};
pub use receive::{key_of, publish, receive, Ignored, Outcome};
pub use text::{clean_reply, html_to_text};
