//! Recording uploads: sniff the container from the bytes with `infer`, then
//! demux it with symphonia (no decoding) to measure the real duration.
//!
//! Synchronous and blocking (file IO + CPU): call it from `spawn_blocking`.
//!
//! Why demux-only: symphonia has no Opus decoder, and MediaRecorder WebM
//! (Chrome) has neither a Duration element nor Cues, so the only reliable
//! length is the end of the last packet. Scanning packets needs no decoder and
//! costs about one read of the file.

use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::path::Path;

use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_AAC, CODEC_ID_FLAC, CODEC_ID_MP3, CODEC_ID_OPUS, CODEC_ID_PCM_ALAW, CODEC_ID_PCM_F32LE,
    CODEC_ID_PCM_MULAW, CODEC_ID_PCM_S16LE, CODEC_ID_PCM_S24LE, CODEC_ID_PCM_S32LE, CODEC_ID_PCM_U8, CODEC_ID_VORBIS,
};
use symphonia::core::codecs::audio::AudioCodecId;
use symphonia::core::codecs::CodecParameters;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::well_known::{
    FORMAT_ID_ADTS, FORMAT_ID_ISOMP4, FORMAT_ID_MKV, FORMAT_ID_MP3, FORMAT_ID_OGG, FORMAT_ID_WAVE,
};
use symphonia::core::formats::{FormatId, FormatOptions, FormatReader};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::TimeBase;

use super::error::{catch_panics, MediaError, MediaKind};

mod structure;
use structure::{mp3_has_length_header, webm_structure_complete};

/// What we learned about a valid recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioInfo {
    /// Canonical MIME type to store and serve as `Content-Type`.
    pub mime: &'static str,
    /// Extension (no dot) for the stored object.
    pub extension: &'static str,
    /// Rounded to the nearest second; at least 1 when there is any audio.
    pub duration_seconds: u32,
}

/// How many leading bytes `infer` looks at.
const SNIFF_LEN: u64 = 8192;
/// Give up on absurd files (~9 days of 20 ms Opus packets).
const MAX_PACKETS: u64 = 40_000_000;
/// Longer than this is treated as nonsense timestamps (hostile or broken
/// files; symphonia's arithmetic wraps in release builds) and is `Corrupt`.
pub const MAX_RECORDING_SECONDS: f64 = 24.0 * 3600.0;
/// If the header declares a length and the packets we could read fall short
/// by more than this many seconds (or 2 % if that is more), the file was cut.
const TRUNCATION_SLACK_SECS: f64 = 1.0;

/// The allowlisted containers. Chosen from `infer`'s verdict, never the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    /// WebM. `infer` says `video/webm` even for audio-only MediaRecorder output.
    Webm,
    /// Ogg (Opus, Vorbis or FLAC). `infer` says `audio/opus` or `audio/ogg`.
    Ogg,
    /// ISO-BMFF: `audio/m4a` (ftyp `M4A `) or `video/mp4` (isom, mp42, iso5...).
    Mp4,
    /// Raw AAC in ADTS framing. `infer` says `audio/aac`.
    Adts,
    /// MPEG Layer III. `infer` says `audio/mpeg`.
    Mp3,
    /// RIFF/WAVE. `infer` says `audio/x-wav`.
    Wav,
}

impl Container {
    fn from_infer_mime(mime: &str) -> Option<Self> {
        Some(match mime {
            "video/webm" => Container::Webm,
            "audio/opus" | "audio/ogg" => Container::Ogg,
            "audio/m4a" | "video/mp4" => Container::Mp4,
            "audio/aac" => Container::Adts,
            "audio/mpeg" => Container::Mp3,
            "audio/x-wav" => Container::Wav,
            _ => return None,
        })
    }

    fn mime(self) -> &'static str {
        match self {
            Container::Webm => "audio/webm",
            Container::Ogg => "audio/ogg",
            Container::Mp4 => "audio/mp4",
            Container::Adts => "audio/aac",
            Container::Mp3 => "audio/mpeg",
            Container::Wav => "audio/wav",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Container::Webm => "webm",
            Container::Ogg => "ogg",
            Container::Mp4 => "m4a",
            Container::Adts => "aac",
            Container::Mp3 => "mp3",
            Container::Wav => "wav",
        }
    }

    /// The symphonia reader that must end up handling the file, so the probe
    /// cannot skip a broken header and latch onto something further in.
    fn format_id(self) -> FormatId {
        match self {
            Container::Webm => FORMAT_ID_MKV,
            Container::Ogg => FORMAT_ID_OGG,
            Container::Mp4 => FORMAT_ID_ISOMP4,
            Container::Adts => FORMAT_ID_ADTS,
            Container::Mp3 => FORMAT_ID_MP3,
            Container::Wav => FORMAT_ID_WAVE,
        }
    }

    /// Codecs browsers can play in this container.
    fn allows_codec(self, codec: AudioCodecId) -> bool {
        match self {
            Container::Webm => [CODEC_ID_OPUS, CODEC_ID_VORBIS].contains(&codec),
            Container::Ogg => [CODEC_ID_OPUS, CODEC_ID_VORBIS, CODEC_ID_FLAC].contains(&codec),
            // No ALAC: iOS Voice Memos' "lossless" m4a won't play in Chrome/Firefox.
            Container::Mp4 => [CODEC_ID_AAC, CODEC_ID_MP3, CODEC_ID_OPUS, CODEC_ID_FLAC].contains(&codec),
            Container::Adts => codec == CODEC_ID_AAC,
            Container::Mp3 => codec == CODEC_ID_MP3,
            Container::Wav => [
                CODEC_ID_PCM_U8,
                CODEC_ID_PCM_S16LE,
                CODEC_ID_PCM_S24LE,
                CODEC_ID_PCM_S32LE,
                CODEC_ID_PCM_F32LE,
                CODEC_ID_PCM_ALAW,
                CODEC_ID_PCM_MULAW,
            ]
            .contains(&codec),
        }
    }
}

/// Validate a stored recording and measure its duration.
///
/// * the type is sniffed from the bytes (`infer`); the file name is ignored;
/// * containers with a video track, or codecs browsers can't play, are
///   `UnsupportedType`;
/// * duration = end of the last packet − start of the first, from a full
///   demux pass (no decoder, so Opus works);
/// * truncated, garbage or zero-length audio is `Corrupt`; a zero-byte file
///   is `Empty`; panics inside the demuxers are caught and become `Corrupt`.
pub fn probe_audio(path: &Path) -> Result<AudioInfo, MediaError> {
    catch_panics(MediaKind::Audio, || {
        let (container, seconds) = probe_seconds(path)?;
        Ok(AudioInfo {
            mime: container.mime(),
            extension: container.extension(),
            duration_seconds: round_seconds(seconds),
        })
    })
}

/// Sniff + measure, with the unrounded duration (tests check precision).
fn probe_seconds(path: &Path) -> Result<(Container, f64), MediaError> {
    let mut file = File::open(path)?;
    let mut head = Vec::with_capacity(SNIFF_LEN as usize);
    (&mut file).take(SNIFF_LEN).read_to_end(&mut head)?;
    if head.is_empty() {
        return Err(MediaError::Empty(MediaKind::Audio));
    }
    // infer's WebM matcher wants > 256 bytes; a header-only recording is
    // smaller. Zero-pad so such files are sniffed (and then called Corrupt,
    // which is the honest answer) instead of "not a recording".
    if head.len() <= 256 {
        head.resize(257, 0);
    }
    let container = infer::get(&head)
        .and_then(|t| Container::from_infer_mime(t.mime_type()))
        .ok_or(MediaError::UnsupportedType(MediaKind::Audio))?;

    // Only trust an MP3's declared length when it comes from a Xing/Info/VBRI
    // header; otherwise symphonia *estimates* it from the first frame's
    // bitrate, which is wrong for VBR and would give false "truncated".
    let trust_declared = match container {
        Container::Ogg | Container::Mp4 | Container::Wav => true,
        Container::Mp3 => mp3_has_length_header(&mut file, &head)?,
        // ADTS: estimated from file size. WebM: only media-level, and cut
        // files are caught by the EBML walk below.
        Container::Adts | Container::Webm => false,
    };
    drop(head);

    file.seek(SeekFrom::Start(0))?;
    let seconds = measure_duration(file, container, trust_declared)?;

    if container == Container::Webm {
        webm_structure_complete(&mut File::open(path)?)?;
    }
    Ok((container, seconds))
}

fn round_seconds(seconds: f64) -> u32 {
    // Float-to-int `as` saturates; any audio at all counts as one second.
    (seconds.round() as u32).max(1)
}

fn corrupt(detail: impl Into<String>) -> MediaError {
    MediaError::corrupt(MediaKind::Audio, detail)
}

fn measure_duration(file: File, container: Container, trust_declared: bool) -> Result<f64, MediaError> {
    let mss = MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    hint.with_extension(container.extension());

    let mut reader = symphonia::default::get_probe()
        .probe(&hint, mss, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| corrupt(format!("probe failed: {e}")))?;

    if reader.format_info().format != container.format_id() {
        return Err(corrupt(format!("sniffed {container:?} but symphonia found {}", reader.format_info().short_name)));
    }

    let mut track = select_track(reader.as_ref(), container)?;
    let mut declared_total = 0.0;
    let mut declared_known = track.declared_secs.is_some();
    let mut scan = ScanState::default();
    let mut packets: u64 = 0;

    loop {
        match reader.next_packet() {
            Ok(Some(packet)) => {
                if packet.track_id != track.id {
                    continue;
                }
                packets += 1;
                if packets > MAX_PACKETS {
                    return Err(corrupt("too many packets"));
                }
                let start = packet.pts.get() as f64 * track.secs_per_tick;
                let mut dur = packet.dur.get() as f64 * track.secs_per_tick;
                if dur == 0.0 && track.is_opus {
                    // Matroska SimpleBlocks carry no duration and MediaRecorder
                    // writes no DefaultDuration: read it from the Opus TOC byte.
                    dur = opus_packet_samples(&packet.data) as f64 / 48_000.0;
                }
                scan.add(start, start + dur);
            }
            Ok(None) => break,
            Err(SymphoniaError::ResetRequired) => {
                // Chained Ogg: a new logical stream starts. Bank this link.
                scan.finish_segment();
                declared_total += track.declared_secs.unwrap_or(0.0);
                track = select_track(reader.as_ref(), container)?;
                declared_known &= track.declared_secs.is_some();
            }
            Err(SymphoniaError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                if container == Container::Webm {
                    // Live-written WebM (MediaRecorder) has unknown-size
                    // Segment/Clusters, so EOF *is* the normal end for the mkv
                    // reader. `webm_structure_complete` checks for cuts.
                    break;
                }
                return Err(corrupt(format!("truncated after {packets} packets: {e}")));
            }
            Err(e) => return Err(corrupt(format!("demux error after {packets} packets: {e}"))),
        }
    }
    scan.finish_segment();
    declared_total += track.declared_secs.unwrap_or(0.0);

    let declared = (trust_declared && declared_known).then_some(declared_total);
    check_measurement(scan.total, packets, declared)
}

/// Final sanity checks on what the packet scan measured.
fn check_measurement(measured: f64, packets: u64, declared: Option<f64>) -> Result<f64, MediaError> {
    if packets == 0 || !measured.is_finite() || measured <= 0.0 {
        return Err(corrupt(format!("no audio ({packets} packets, {measured:.3}s)")));
    }
    if measured > MAX_RECORDING_SECONDS {
        return Err(corrupt(format!("implausible duration {measured:.0}s from {packets} packets")));
    }
    if let Some(declared) = declared.filter(|d| *d > 0.0) {
        let slack = TRUNCATION_SLACK_SECS.max(declared * 0.02);
        if measured + slack < declared {
            return Err(corrupt(format!("truncated: header says {declared:.3}s, packets cover {measured:.3}s")));
        }
    }
    Ok(measured)
}

/// The audio track we measure.
struct SelectedTrack {
    id: u32,
    secs_per_tick: f64,
    is_opus: bool,
    /// Length claimed by the container header, if any.
    declared_secs: Option<f64>,
}

fn select_track(reader: &dyn FormatReader, container: Container) -> Result<SelectedTrack, MediaError> {
    let tracks = reader.tracks();
    if tracks.iter().any(|t| matches!(t.codec_params, Some(CodecParameters::Video(_)))) {
        // A video, or a WebM recorded with the camera on: not a recording.
        return Err(MediaError::UnsupportedType(MediaKind::Audio));
    }
    let (track, params) = tracks
        .iter()
        .find_map(|t| match &t.codec_params {
            Some(CodecParameters::Audio(p)) => Some((t, p)),
            _ => None,
        })
        .ok_or_else(|| corrupt("no audio track"))?;
    if !container.allows_codec(params.codec) {
        return Err(MediaError::UnsupportedType(MediaKind::Audio));
    }
    let time_base = track
        .time_base
        .or_else(|| params.sample_rate.and_then(TimeBase::try_from_recip))
        .ok_or_else(|| corrupt("audio track has no time base"))?;
    let secs_per_tick = f64::from(time_base.numer.get()) / f64::from(time_base.denom.get());

    let declared_secs = if let Some(ticks) = track.duration {
        Some(ticks.get() as f64 * secs_per_tick)
    } else if let (Some(frames), Some(rate)) = (track.num_frames, params.sample_rate) {
        Some(frames as f64 / f64::from(rate))
    } else {
        None
    }
    .filter(|s| s.is_finite() && *s > 0.0);

    Ok(SelectedTrack { id: track.id, secs_per_tick, is_opus: params.codec == CODEC_ID_OPUS, declared_secs })
}

/// Running min(start)/max(end) per (chained) segment.
#[derive(Default)]
struct ScanState {
    start: Option<f64>,
    end: f64,
    total: f64,
}

impl ScanState {
    fn add(&mut self, start: f64, end: f64) {
        self.start = Some(self.start.map_or(start, |s| s.min(start)));
        self.end = self.end.max(end);
    }

    fn finish_segment(&mut self) {
        if let Some(start) = self.start.take() {
            self.total += (self.end - start).max(0.0);
        }
        self.end = 0.0;
    }
}

/// Samples (at 48 kHz) in one Opus packet, from its TOC byte (RFC 6716 §3.1).
fn opus_packet_samples(data: &[u8]) -> u64 {
    let Some(&toc) = data.first() else { return 0 };
    let config = usize::from(toc >> 3);
    let frame_samples: u64 = match config {
        0..=11 => [480, 960, 1920, 2880][config % 4], // SILK: 10/20/40/60 ms
        12..=15 => [480, 960][config % 2],            // Hybrid: 10/20 ms
        _ => [120, 240, 480, 960][config % 4],        // CELT: 2.5/5/10/20 ms
    };
    let frames: u64 = match toc & 0b11 {
        0 => 1,
        1 | 2 => 2,
        _ => data.get(1).map_or(0, |b| u64::from(b & 0b11_1111)),
    };
    // A packet never holds more than 120 ms.
    (frame_samples * frames).min(5760)
}

#[cfg(test)]
mod tests;
