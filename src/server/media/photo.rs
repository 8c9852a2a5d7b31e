//! STUB until the real module lands.
use super::error::MediaError;
pub struct ProcessedPhoto { pub mime: &'static str, pub extension: &'static str, pub width: u32, pub height: u32, pub display: Vec<u8>, pub thumbnail: Vec<u8>, pub taken_at: Option<String> }
pub fn process_photo(_bytes: &[u8]) -> Result<ProcessedPhoto, MediaError> { Err(MediaError::UnsupportedType) }
