//! Error type shared by `audio` and `photo`.
//!
//! `Display` (via thiserror) is meant for logs and may contain internal detail;
//! show people [`MediaError::user_message`] instead.

use std::fmt;

/// Which kind of upload failed, so the user-facing wording can say
/// "recording" or "photo".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Audio,
    Photo,
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaKind::Audio => "audio",
            MediaKind::Photo => "photo",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The bytes are not one of the allowed formats (sniffed from content, not
    /// the file name), or an allowed container holds something we won't play
    /// (e.g. a video track).
    #[error("unsupported {0} type")]
    UnsupportedType(MediaKind),

    /// The payload is a valid format but too big to process. The string is
    /// already a user-facing sentence that mentions the size.
    #[error("too large: {0}")]
    TooLarge(String),

    /// The file claims to be an allowed format but cannot be read completely
    /// (truncated, garbage after a valid header, zero-length audio, decoder
    /// panic...). `detail` is for logs only.
    #[error("corrupt {kind}: {detail}")]
    Corrupt { kind: MediaKind, detail: String },

    /// Zero bytes were uploaded.
    #[error("empty {0} upload")]
    Empty(MediaKind),

    /// Our side failed to read the stored upload (not the user's fault).
    #[error("i/o error while reading upload: {0}")]
    Io(#[from] std::io::Error),
}

impl MediaError {
    pub(crate) fn corrupt(kind: MediaKind, detail: impl Into<String>) -> Self {
        MediaError::Corrupt { kind, detail: detail.into() }
    }

    /// A sentence that is safe and helpful to show to the person uploading.
    pub fn user_message(&self) -> String {
        match self {
            MediaError::UnsupportedType(MediaKind::Audio) => {
                "That file isn't a recording we can play. Please use MP3, M4A, WAV, OGG or WebM audio.".to_string()
            }
            MediaError::UnsupportedType(MediaKind::Photo) => {
                "That file isn't a photo we can use. Please upload a JPEG, PNG or WebP image.".to_string()
            }
            MediaError::TooLarge(msg) => msg.clone(),
            MediaError::Corrupt { kind: MediaKind::Audio, .. } => {
                "The recording seems damaged or incomplete. Please try recording or uploading it again.".to_string()
            }
            MediaError::Corrupt { kind: MediaKind::Photo, .. } => {
                "The photo seems damaged or incomplete. Please try uploading it again.".to_string()
            }
            MediaError::Empty(MediaKind::Audio) => {
                "The recording is empty. Please try recording or uploading it again.".to_string()
            }
            MediaError::Empty(MediaKind::Photo) => {
                "The photo file is empty. Please choose the photo again.".to_string()
            }
            MediaError::Io(_) => {
                "Something went wrong on our side while reading your upload. Please try again.".to_string()
            }
        }
    }

    /// Whether this is the user's problem (4xx) rather than ours (5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, MediaError::Io(_))
    }
}

/// Run `f`, turning a panic (e.g. inside a demuxer/decoder fed hostile
/// bytes) into `MediaError::Corrupt`. Belt and braces: the libraries are meant
/// to return errors, not panic. Note: useless under `panic = "abort"`.
pub(crate) fn catch_panics<T>(kind: MediaKind, f: impl FnOnce() -> Result<T, MediaError>) -> Result<T, MediaError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".to_string());
            Err(MediaError::corrupt(kind, format!("panic while processing: {msg}")))
        }
    }
}

/// A refused file gets its reason; a failure of ours is logged and reported as such.
impl From<MediaError> for crate::error::AppError {
    fn from(err: MediaError) -> Self {
        match err {
            MediaError::TooLarge(_) => Self::TooLarge(err.user_message()),
            _ if err.is_client_error() => Self::Refused(err.user_message()),
            other => super::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_corrupt() {
        let r: Result<(), _> = catch_panics(MediaKind::Audio, || panic!("demuxer exploded"));
        match r {
            Err(MediaError::Corrupt { kind: MediaKind::Audio, detail }) => {
                assert!(detail.contains("demuxer exploded"), "{detail}")
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        let ok = catch_panics(MediaKind::Photo, || Ok(7));
        assert_eq!(ok.unwrap(), 7);
    }

    #[test]
    fn user_messages_are_friendly_and_kind_specific() {
        let a = MediaError::UnsupportedType(MediaKind::Audio).user_message();
        assert!(a.contains("MP3, M4A, WAV, OGG or WebM"), "{a}");
        let p = MediaError::UnsupportedType(MediaKind::Photo).user_message();
        assert!(p.contains("JPEG, PNG or WebP"), "{p}");
        let c = MediaError::corrupt(MediaKind::Audio, "mkv: eof").user_message();
        assert!(c.starts_with("The recording seems damaged"), "{c}");
        assert!(!c.contains("mkv"), "internal detail must not leak: {c}");
        let t = MediaError::TooLarge("That photo is too large (20000 × 20000 pixels).".into());
        assert!(t.user_message().contains("20000"));
        assert!(MediaError::Empty(MediaKind::Photo).is_client_error());
        assert!(!MediaError::Io(std::io::Error::other("disk")).is_client_error());
    }
}
