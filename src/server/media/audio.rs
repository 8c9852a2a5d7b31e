//! STUB until the real module lands.
use super::error::MediaError;
pub struct AudioInfo { pub mime: &'static str, pub extension: &'static str, pub duration_seconds: u32 }
pub fn probe_audio(_path: &std::path::Path) -> Result<AudioInfo, MediaError> { Err(MediaError::UnsupportedType) }
