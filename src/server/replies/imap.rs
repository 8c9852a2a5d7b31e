//! The IMAP way in (#18): the server watches the mailbox `IMAP_URL` names — an account at
//! a mail provider, or a Dovecot — and hands each message to the one inbound path
//! (`receive`). A message is moved to the processed folder only after `receive` returned,
//! so a crash in between hands it over again; the Message-ID makes that second delivery a
//! `Duplicate`, never a second story.
//!
//! Waiting is IMAP IDLE where the server offers it (a new message arrives within a second),
//! else a look every minute. Every command has a deadline, and a lost connection is
//! re-made with a growing pause, so a provider's hiccup never stops the watcher for good.
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use async_imap::extensions::idle::IdleResponse;
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

use super::{receive, Outcome, MAX_MESSAGE_BYTES};
use crate::server::state::AppState;

/// Where replies arrive: `imaps://USER:PASSWORD@HOST[:PORT][/MAILBOX][?processed=FOLDER]`
/// (or `imap://` without TLS, for a server on the same machine).
#[derive(Clone, PartialEq, Eq)]
pub struct ImapSource {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub user: String,
    password: String,
    /// Watched for replies; INBOX unless the URL names another.
    pub mailbox: String,
    /// Where handled messages go, created when missing.
    pub processed: String,
}

// The password never reaches a log line.
impl fmt::Debug for ImapSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapSource")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("mailbox", &self.mailbox)
            .field("processed", &self.processed)
            .finish_non_exhaustive()
    }
}

impl ImapSource {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let wrong = |why: &str| {
            format!(
                "IMAP_URL {why}: expected imaps://USER:PASSWORD@HOST[:PORT][/MAILBOX] (user and password \
                 percent-encoded, e.g. me%40example.com)"
            )
        };
        let url = url::Url::parse(raw.trim()).map_err(|_| wrong("is not a URL"))?;
        let tls = match url.scheme() {
            "imaps" => true,
            "imap" => false,
            _ => return Err(wrong("must start with imaps:// or imap://")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| wrong("has no host"))?;
        let decode = |part: &str| {
            percent_decode(part).ok_or_else(|| wrong("has a user or password that is not valid percent-encoded UTF-8"))
        };
        let user = decode(url.username())?;
        let password = decode(url.password().unwrap_or(""))?;
        if user.is_empty() || password.is_empty() {
            return Err(wrong("needs a user and a password"));
        }
        let mailbox = decode(url.path().trim_start_matches('/'))?;
        let processed = url
            .query_pairs()
            .find(|(k, _)| k == "processed")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "Processed".into());
        let mailbox = if mailbox.is_empty() { "INBOX".to_owned() } else { mailbox };
        if mailbox == processed {
            return Err(wrong("names the same folder to watch and to move handled mail to"));
        }
        Ok(ImapSource {
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port: url.port().unwrap_or(if tls { 993 } else { 143 }),
            tls,
            user,
            password,
            mailbox,
            processed,
        })
    }
}

fn percent_decode(part: &str) -> Option<String> {
    percent_encoding::percent_decode_str(part).decode_utf8().ok().map(|text| text.into_owned())
}

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}

pub type Session = async_imap::Session<Box<dyn Io>>;

/// A command that takes longer than this is a lost connection.
const COMMAND: Duration = Duration::from_secs(60);
/// Fetching one message of up to 30 MiB over a slow link.
const FETCH: Duration = Duration::from_secs(300);
/// Servers drop an IDLE after 30 minutes; it is renewed before that.
const IDLE: Duration = Duration::from_secs(25 * 60);
/// Without IDLE: a look every minute.
const POLL: Duration = Duration::from_secs(60);

async fn timed<T, E: Into<anyhow::Error>>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T> {
    match tokio::time::timeout(limit, fut).await {
        Ok(result) => result.map_err(Into::into).with_context(|| format!("IMAP {what}")),
        Err(_) => Err(anyhow!("IMAP {what}: no answer within {} s", limit.as_secs())),
    }
}

/// Logs in and selects the watched mailbox; the processed folder is created if missing.
pub async fn connect(source: &ImapSource) -> Result<Session> {
    let address = (source.host.as_str(), source.port);
    let tcp = timed(COMMAND, "connect", TcpStream::connect(address)).await?;
    let io: Box<dyn Io> = if source.tls {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config =
            rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(source.host.clone())
            .map_err(|_| anyhow!("IMAP_URL's host {:?} is not a valid name for TLS", source.host))?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        Box::new(timed(COMMAND, "TLS handshake", connector.connect(name, tcp)).await?)
    } else {
        Box::new(tcp)
    };
    let mut client = async_imap::Client::new(io);
    let greeting = timed(COMMAND, "greeting", client.read_response()).await?;
    if greeting.is_none() {
        return Err(anyhow!("the IMAP server closed the connection before greeting"));
    }
    let mut session = match timed(COMMAND, "login", async {
        client.login(&source.user, &source.password).await.map_err(|(err, _)| err)
    })
    .await
    {
        Ok(session) => session,
        Err(err) => return Err(err.context(format!("logging in to {} as {}", source.host, source.user))),
    };
    // Already there is the usual answer; whether it is there is asked of the move itself.
    let _ = timed(COMMAND, "create", session.create(&source.processed)).await;
    timed(COMMAND, "select", session.select(&source.mailbox)).await?;
    Ok(session)
}

/// The messages waiting in the watched mailbox, oldest first, with their sizes.
pub async fn waiting(session: &mut Session) -> Result<Vec<(u32, u32)>> {
    let uids = timed(COMMAND, "search", session.uid_search("UNDELETED")).await?;
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    let mut uids: Vec<u32> = uids.into_iter().collect();
    uids.sort_unstable();
    let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let fetches = timed(COMMAND, "fetch sizes", async {
        session.uid_fetch(&set, "(UID RFC822.SIZE)").await?.try_collect::<Vec<_>>().await
    })
    .await?;
    let mut sized: Vec<(u32, u32)> = fetches.iter().filter_map(|f| Some((f.uid?, f.size.unwrap_or(0)))).collect();
    sized.sort_unstable();
    Ok(sized)
}

/// One message as it arrived; `BODY.PEEK` leaves it unread for anyone looking at the box.
pub async fn fetch(session: &mut Session, uid: u32) -> Result<Option<Vec<u8>>> {
    let fetches = timed(FETCH, "fetch", async {
        session.uid_fetch(uid.to_string(), "(UID BODY.PEEK[])").await?.try_collect::<Vec<_>>().await
    })
    .await?;
    Ok(fetches.iter().find(|f| f.uid == Some(uid)).and_then(|f| f.body()).map(<[u8]>::to_vec))
}

/// Out of the watched mailbox: MOVE where the server has it, else copy, flag and expunge.
pub async fn mark_processed(session: &mut Session, source: &ImapSource, uid: u32) -> Result<()> {
    let set = uid.to_string();
    if timed(COMMAND, "move", session.uid_mv(&set, &source.processed)).await.is_ok() {
        return Ok(());
    }
    timed(COMMAND, "copy", session.uid_copy(&set, &source.processed)).await?;
    timed(COMMAND, "flag", async {
        session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)").await?.try_collect::<Vec<_>>().await
    })
    .await?;
    timed(COMMAND, "expunge", async { session.uid_expunge(&set).await?.try_collect::<Vec<_>>().await }).await?;
    Ok(())
}

/// What one look at the mailbox did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Taken {
    pub handled: usize,
    /// Not stored (database or storage down): left in the mailbox for the next look.
    pub left: usize,
}

/// Hands every waiting message to `receive`, moving each one it dealt with.
pub async fn take_waiting(state: &AppState, session: &mut Session, source: &ImapSource) -> Result<Taken> {
    let mut taken = Taken::default();
    for (uid, size) in waiting(session).await? {
        if size as usize > MAX_MESSAGE_BYTES {
            tracing::warn!(uid, size, folder = %source.processed, "an emailed reply is over 30 MiB; moved aside unread");
            mark_processed(session, source, uid).await?;
            taken.handled += 1;
            continue;
        }
        let Some(raw) = fetch(session, uid).await? else {
            continue;
        };
        match receive(state, &raw).await {
            Ok(outcome) => {
                if let Outcome::Ignored(why) = outcome {
                    tracing::info!(uid, ?why, "an emailed message was not an answer");
                }
                mark_processed(session, source, uid).await?;
                taken.handled += 1;
            }
            Err(err) => {
                tracing::warn!(uid, error = %err, "an emailed reply could not be stored yet; trying again in a minute");
                taken.left += 1;
            }
        }
    }
    Ok(taken)
}

/// Takes what is waiting, then waits for more, until the connection fails.
async fn watch(state: &AppState, source: &ImapSource) -> Result<()> {
    let mut session = connect(source).await?;
    let idle = timed(COMMAND, "capabilities", session.capabilities()).await?.has_str("IDLE");
    tracing::info!(host = %source.host, mailbox = %source.mailbox, idle, "watching for emailed replies");
    loop {
        let taken = take_waiting(state, &mut session, source).await?;
        // IDLE would sleep until new mail: what is left is tried again in a minute instead.
        if idle && taken.left == 0 {
            let mut handle = session.idle();
            timed(COMMAND, "idle", handle.init()).await?;
            let (wait, _interrupt) = handle.wait_with_timeout(IDLE);
            let woke = wait.await.context("IMAP idle")?;
            if let IdleResponse::NewData(_) = woke {
                tracing::debug!("the reply mailbox changed");
            }
            session = timed(COMMAND, "done", handle.done()).await?;
        } else {
            tokio::time::sleep(POLL).await;
            timed(COMMAND, "noop", session.noop()).await?;
        }
    }
}

/// The watcher task: runs for the server's lifetime, reconnecting after a failure with a
/// pause that grows from 5 seconds to 5 minutes.
pub async fn run_watcher(state: AppState, source: ImapSource) {
    let mut pause = Duration::from_secs(5);
    loop {
        let started = tokio::time::Instant::now();
        if let Err(err) = watch(&state, &source).await {
            tracing::warn!(error = %format!("{err:#}"), host = %source.host, "the reply mailbox is unreachable; trying again");
        }
        if started.elapsed() > Duration::from_secs(600) {
            pause = Duration::from_secs(5);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(300));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_account_with_an_encoded_user() {
        let s = ImapSource::parse("imaps://stories%40example.com:p%40ss%2Fw0rd@imap.fastmail.com").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.tls, s.user.as_str(), s.password.as_str()),
            ("imap.fastmail.com", 993, true, "stories@example.com", "p@ss/w0rd")
        );
        assert_eq!((s.mailbox.as_str(), s.processed.as_str()), ("INBOX", "Processed"));
    }

    #[test]
    fn a_local_dovecot_with_its_own_folders() {
        let s = ImapSource::parse("imap://replies:secret@127.0.0.1:1143/Replies?processed=Replies%2FDone").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.tls), ("127.0.0.1", 1143, false));
        assert_eq!((s.mailbox.as_str(), s.processed.as_str()), ("Replies", "Replies/Done"));
        assert_eq!(ImapSource::parse("imap://u:p@localhost").unwrap().port, 143);
    }

    #[test]
    fn wrong_urls_say_what_is_expected() {
        for (raw, says) in [
            ("https://u:p@example.com", "must start with imaps://"),
            ("imaps://example.com", "needs a user and a password"),
            ("imaps://user@example.com", "needs a user and a password"),
            ("not a url", "is not a URL"),
            ("imaps://u:p@example.com/Done?processed=Done", "same folder"),
            ("imaps://u:%ff@example.com", "percent-encoded"),
        ] {
            let err = ImapSource::parse(raw).unwrap_err();
            assert!(err.contains(says), "{raw}: {err}");
            assert!(err.contains("imaps://USER:PASSWORD@HOST"), "{raw}: {err}");
        }
    }

    #[test]
    fn the_password_stays_out_of_logs() {
        let s = ImapSource::parse("imaps://me:hunter2@example.com").unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
