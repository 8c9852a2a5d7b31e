//! Why a media file was refused, in words for the person who sent it.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("unsupported type")]
    UnsupportedType,
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("corrupt")]
    Corrupt,
    #[error("empty")]
    Empty,
}

impl MediaError {
    pub fn user_message(&self) -> String {
        match self {
            MediaError::UnsupportedType => "That file type isn't supported.".into(),
            MediaError::TooLarge(m) => m.clone(),
            MediaError::Corrupt => "The file seems damaged or incomplete.".into(),
            MediaError::Empty => "That file is empty.".into(),
        }
    }
}
