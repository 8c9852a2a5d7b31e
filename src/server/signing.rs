//! Signed links that work without an account: the key, what a signature is for, and the
//! typed proofs a verified link yields (server-role queries take those, never a bare id).
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use super::db::{secrets, Db};

/// What a signature is for; a token signed for one purpose never verifies for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// "This user may turn their story emails off."
    Unsubscribe,
    /// "This listening link plays its story's recording" (QR codes in books).
    Listen,
    /// The storyteller's link: a token derived from the link's row, never stored.
    Storyteller,
    /// "The print provider may download this file of this order until then."
    PrintFile,
    /// "A reply to this address (or to this message) answers this sent question."
    Reply,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Unsubscribe => "unsubscribe",
            Purpose::Listen => "listen",
            Purpose::Storyteller => "storyteller",
            Purpose::PrintFile => "print_file",
            Purpose::Reply => "reply",
        }
    }
}

/// Signs short statements ("this user may unsubscribe", "this link plays that recording") so
/// links work without a login.
#[derive(Clone)]
pub struct Signer {
    key: Arc<[u8; 32]>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(…)")
    }
}

impl Signer {
    pub fn new(key: [u8; 32]) -> Self {
        Signer { key: Arc::new(key) }
    }

    /// MSF_SECRET_KEY (64 hex digits) when set; else the key kept in the database (made at
    /// the first start), so a database backup carries it and every instance shares it. A key
    /// from an older install's `data_dir/secret.key` is adopted once, so its links keep working.
    pub async fn load(from_env: Option<&str>, db: &Db, data_dir: &Path) -> Result<Self> {
        if let Some(hex) = from_env {
            return Self::from_hex(hex);
        }
        let legacy = data_dir.join("secret.key");
        let proposed = match std::fs::read(&legacy).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()) {
            Some(key) => key,
            None => rand::random(),
        };
        let key = secrets::link_signing_key(db, proposed).await.context("reading the link-signing key")?;
        if legacy.exists() && key == proposed {
            tracing::info!(file = %legacy.display(), "the link-signing key now lives in the database; the file is no longer read");
        }
        Ok(Signer::new(key))
    }

    fn from_hex(hex: &str) -> Result<Self> {
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .context("MSF_SECRET_KEY must be 64 hexadecimal digits")?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|_| anyhow::anyhow!("MSF_SECRET_KEY must be 64 hexadecimal digits"))?;
        Ok(Signer::new(key))
    }

    fn mac(&self, purpose: Purpose, user: Uuid) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_slice()).expect("any key length works");
        mac.update(purpose.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(user.as_bytes());
        mac
    }

    pub fn sign(&self, purpose: Purpose, user: Uuid) -> String {
        let tag = self.mac(purpose, user).finalize().into_bytes();
        format!("{}.{}", user.simple(), base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag))
    }

    pub fn verify(&self, purpose: Purpose, token: &str) -> Option<Uuid> {
        let (user, tag) = token.split_once('.')?;
        let user = Uuid::parse_str(user).ok()?;
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(purpose, user).verify_slice(&tag).ok()?;
        Some(user)
    }

    /// The storyteller link's token for link row `link_id`: 256 bits that only this key
    /// makes, so the database keeps just its hash and the owner can still be shown it.
    pub fn storyteller_token(&self, link_id: Uuid) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(self.mac(Purpose::Storyteller, link_id).finalize().into_bytes())
    }

    /// The signature over (order, file, expiry): the link names all three, so none can be
    /// changed without the signature failing.
    fn print_file_mac(&self, order_id: Uuid, file: &str, expires_at: i64) -> Hmac<Sha256> {
        let mut mac = self.mac(Purpose::PrintFile, order_id);
        mac.update(b"\0");
        mac.update(file.as_bytes());
        mac.update(b"\0");
        mac.update(expires_at.to_string().as_bytes());
        mac
    }

    /// The address the print provider downloads an order's file from (no account), valid
    /// until `expires_at` (Unix seconds): `/print-files/{order}/{file}?expires=…&sig=…`.
    pub fn print_file_link(&self, public_url: &str, order_id: Uuid, file: &str, expires_at: i64) -> String {
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(self.print_file_mac(order_id, file, expires_at).finalize().into_bytes());
        format!("{}/print-files/{order_id}/{file}?expires={expires_at}&sig={sig}", public_url.trim_end_matches('/'))
    }

    /// A sent question's reply key: its id and 80 bits of signature, in lowercase hex (mail
    /// systems may change the case of an address). The question email carries it twice: in
    /// its reply address (`replies+KEY@…`) and as its Message-ID (`<KEY@…>`), which a reply's
    /// In-Reply-To and References repeat.
    pub fn reply_key(&self, question_id: Uuid) -> String {
        let tag = self.mac(Purpose::Reply, question_id).finalize().into_bytes();
        let hex: String = tag[..REPLY_TAG_BYTES].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}{hex}", question_id.simple())
    }

    pub fn unsubscribe_link(&self, public_url: &str, user: Uuid) -> String {
        format!("{public_url}/unsubscribe?token={}", self.sign(Purpose::Unsubscribe, user))
    }

    pub fn unsubscriber(&self, token: &str) -> Option<Unsubscriber> {
        self.verify(Purpose::Unsubscribe, token).map(Unsubscriber)
    }
}

/// The person behind an unsubscribe link whose signature checked out; only
/// [`Signer::unsubscriber`] makes one, and the server-role query that turns their story
/// emails off takes nothing else.
pub struct Unsubscriber(Uuid);

impl Unsubscriber {
    pub fn user_id(&self) -> Uuid {
        self.0
    }
}

/// A listening link whose signature checked out. Only [`ListenLink::verify`] makes one, and
/// the server-role query behind a printed QR code takes nothing else.
pub struct ListenLink(Uuid);

impl ListenLink {
    pub fn verify(signer: &Signer, token: &str) -> Option<Self> {
        signer.verify(Purpose::Listen, token).map(Self)
    }

    pub fn id(&self) -> Uuid {
        self.0
    }
}

const REPLY_TAG_BYTES: usize = 10;

/// A reply key whose signature checked out: the sent question an emailed reply answers.
/// Only [`QuestionReply::verify`] makes one; the server-role queries that store an emailed
/// answer take nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuestionReply(Uuid);

impl QuestionReply {
    /// `key` as [`Signer::reply_key`] made it, in any case.
    pub fn verify(signer: &Signer, key: &str) -> Option<Self> {
        let key = key.trim().to_ascii_lowercase();
        if key.len() != 32 + 2 * REPLY_TAG_BYTES || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let (id, hex) = key.split_at(32);
        let question_id = Uuid::parse_str(id).ok()?;
        let tag = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .ok()?;
        signer.mac(Purpose::Reply, question_id).verify_truncated_left(&tag).ok()?;
        Some(QuestionReply(question_id))
    }

    pub fn question_id(&self) -> Uuid {
        self.0
    }
}

/// A print-file link whose signature checked out and that has not expired. Only
/// [`PrintFileLink::verify`] makes one; the route that serves the file takes nothing else.
pub struct PrintFileLink {
    order_id: Uuid,
    file: String,
}

impl PrintFileLink {
    /// `now` and `expires_at` in Unix seconds.
    pub fn verify(signer: &Signer, order_id: Uuid, file: &str, expires_at: i64, sig: &str, now: i64) -> Option<Self> {
        if now >= expires_at {
            return None;
        }
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig).ok()?;
        signer.print_file_mac(order_id, file, expires_at).verify_slice(&tag).ok()?;
        Some(PrintFileLink { order_id, file: file.to_owned() })
    }

    pub fn order_id(&self) -> Uuid {
        self.order_id
    }

    pub fn file(&self) -> &str {
        &self.file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_keys_verify_in_any_case_and_forgeries_do_not() {
        let signer = Signer::new([7; 32]);
        let question = Uuid::new_v4();
        let key = signer.reply_key(question);
        assert_eq!(key.len(), 52);
        assert!(key.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()), "{key}");
        assert_eq!(QuestionReply::verify(&signer, &key).map(|r| r.question_id()), Some(question));
        assert_eq!(QuestionReply::verify(&signer, &key.to_uppercase()).map(|r| r.question_id()), Some(question));
        let mut forged = key.clone().into_bytes();
        forged[51] = if forged[51] == b'0' { b'1' } else { b'0' };
        assert!(QuestionReply::verify(&signer, std::str::from_utf8(&forged).unwrap()).is_none());
        let other = signer.reply_key(Uuid::new_v4());
        assert!(QuestionReply::verify(&signer, &format!("{}{}", &other[..32], &key[32..])).is_none());
        assert!(QuestionReply::verify(&Signer::new([8; 32]), &key).is_none(), "another server's key");
        for junk in ["", "q7Hk2mZpX9", &key[..50], &format!("{key}00"), "ééééééééééééééééééééééééééé"]
        {
            assert!(QuestionReply::verify(&signer, junk).is_none(), "{junk}");
        }
    }

    #[test]
    fn signed_links_verify_and_forgeries_do_not() {
        let signer = Signer::new([7; 32]);
        let user = Uuid::new_v4();
        let token = signer.sign(Purpose::Unsubscribe, user);
        assert_eq!(signer.unsubscriber(&token).map(|u| u.user_id()), Some(user));
        let other = Uuid::new_v4();
        let forged = format!("{}.{}", other.simple(), token.split_once('.').unwrap().1);
        assert!(signer.unsubscriber(&forged).is_none(), "a tag for one user doesn't work for another");
        assert!(Signer::new([8; 32]).unsubscriber(&token).is_none(), "another server's key doesn't verify");
        assert!(ListenLink::verify(&signer, &token).is_none(), "purposes don't mix");
        assert!(signer.unsubscriber("garbage").is_none());
        let link = signer.sign(Purpose::Listen, user);
        assert_eq!(ListenLink::verify(&signer, &link).map(|l| l.id()), Some(user));
        assert!(signer.unsubscriber(&link).is_none());
    }

    #[test]
    fn print_file_links_name_their_order_file_and_expiry() {
        let signer = Signer::new([7; 32]);
        let order = Uuid::new_v4();
        let link = signer.print_file_link("https://books.example/", order, "interior.pdf", 1_000);
        let prefix = format!("https://books.example/print-files/{order}/interior.pdf?expires=1000&sig=");
        let sig = link.strip_prefix(&prefix).unwrap_or_else(|| panic!("{link}"));
        let proof = PrintFileLink::verify(&signer, order, "interior.pdf", 1_000, sig, 999).unwrap();
        assert_eq!((proof.order_id(), proof.file()), (order, "interior.pdf"));
        assert!(PrintFileLink::verify(&signer, order, "interior.pdf", 1_000, sig, 1_000).is_none(), "expired");
        assert!(PrintFileLink::verify(&signer, order, "cover.pdf", 1_000, sig, 999).is_none(), "another file");
        assert!(PrintFileLink::verify(&signer, Uuid::new_v4(), "interior.pdf", 1_000, sig, 999).is_none());
        assert!(PrintFileLink::verify(&signer, order, "interior.pdf", 2_000, sig, 999).is_none(), "a longer life");
        assert!(PrintFileLink::verify(&Signer::new([8; 32]), order, "interior.pdf", 1_000, sig, 999).is_none());
        assert!(PrintFileLink::verify(&signer, order, "interior.pdf", 1_000, "x", 999).is_none());
        let listen = signer.sign(Purpose::Listen, order);
        let listen_tag = listen.split_once('.').unwrap().1;
        assert!(PrintFileLink::verify(&signer, order, "interior.pdf", 1_000, listen_tag, 999).is_none());
    }
}
