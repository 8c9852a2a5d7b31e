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
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};
use std::path::Path;

use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_AAC, CODEC_ID_FLAC, CODEC_ID_MP3, CODEC_ID_OPUS, CODEC_ID_PCM_ALAW,
    CODEC_ID_PCM_F32LE, CODEC_ID_PCM_MULAW, CODEC_ID_PCM_S16LE, CODEC_ID_PCM_S24LE,
    CODEC_ID_PCM_S32LE, CODEC_ID_PCM_U8, CODEC_ID_VORBIS,
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
            Container::Mp4 => {
                [CODEC_ID_AAC, CODEC_ID_MP3, CODEC_ID_OPUS, CODEC_ID_FLAC].contains(&codec)
            }
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

fn measure_duration(
    file: File,
    container: Container,
    trust_declared: bool,
) -> Result<f64, MediaError> {
    let mss = MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    hint.with_extension(container.extension());

    let mut reader = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| corrupt(format!("probe failed: {e}")))?;

    if reader.format_info().format != container.format_id() {
        return Err(corrupt(format!(
            "sniffed {container:?} but symphonia found {}",
            reader.format_info().short_name
        )));
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
fn check_measurement(
    measured: f64,
    packets: u64,
    declared: Option<f64>,
) -> Result<f64, MediaError> {
    if packets == 0 || !measured.is_finite() || measured <= 0.0 {
        return Err(corrupt(format!(
            "no audio ({packets} packets, {measured:.3}s)"
        )));
    }
    if measured > MAX_RECORDING_SECONDS {
        return Err(corrupt(format!(
            "implausible duration {measured:.0}s from {packets} packets"
        )));
    }
    if let Some(declared) = declared.filter(|d| *d > 0.0) {
        let slack = TRUNCATION_SLACK_SECS.max(declared * 0.02);
        if measured + slack < declared {
            return Err(corrupt(format!(
                "truncated: header says {declared:.3}s, packets cover {measured:.3}s"
            )));
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

fn select_track(
    reader: &dyn FormatReader,
    container: Container,
) -> Result<SelectedTrack, MediaError> {
    let tracks = reader.tracks();
    if tracks
        .iter()
        .any(|t| matches!(t.codec_params, Some(CodecParameters::Video(_))))
    {
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

    Ok(SelectedTrack {
        id: track.id,
        secs_per_tick,
        is_opus: params.codec == CODEC_ID_OPUS,
        declared_secs,
    })
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

/// Does this MP3 start with a Xing/Info (LAME) or VBRI header, i.e. an exact
/// frame count? Looks right after any ID3v2 tag. Leaves `file` anywhere.
fn mp3_has_length_header(file: &mut File, head: &[u8]) -> std::io::Result<bool> {
    let mut offset: u64 = 0;
    if head.len() >= 10 && &head[..3] == b"ID3" {
        let size = head[6..10]
            .iter()
            .fold(0u64, |acc, b| (acc << 7) | u64::from(b & 0x7f));
        let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
        offset = 10 + size + footer;
    }
    // Xing/Info sit after the side info (≤ 36 bytes in); VBRI at byte 36.
    let mut frame_start = [0u8; 192];
    file.seek(SeekFrom::Start(offset))?;
    let n = read_up_to(file, &mut frame_start)?;
    let window = &frame_start[..n];
    Ok([b"Xing", b"Info", b"VBRI"]
        .iter()
        .any(|tag| window.windows(4).any(|w| w == *tag)))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Walk the EBML element structure of a WebM and require that the last
/// element ends exactly at end-of-file.
///
/// symphonia can't tell a MediaRecorder file (unknown-size Segment and
/// Clusters, ends whenever the recorder stopped) from one cut in the middle of
/// a block: both end in EOF. This flat walk enters unknown-size elements,
/// skips known-size ones, and fails if an element header or body runs past
/// the end. Every step consumes ≥ 2 bytes, so it terminates on any input.
fn webm_structure_complete(file: &mut File) -> Result<(), MediaError> {
    let len = file.metadata()?.len();
    let mut r = BufReader::new(file);
    let mut pos: u64 = 0;
    while pos < len {
        let (_id, id_len) = read_ebml_vint(&mut r, 4)?
            .ok_or_else(|| corrupt(format!("webm: bad element id at byte {pos}")))?;
        let (size, size_len) = read_ebml_vint(&mut r, 8)?
            .ok_or_else(|| corrupt(format!("webm: bad element size at byte {pos}")))?;
        pos += (id_len + size_len) as u64;
        if pos > len {
            return Err(corrupt("webm: truncated element header"));
        }
        let all_ones = (1u64 << (7 * size_len)) - 1;
        if size == all_ones {
            // Unknown size (live Segment/Cluster): its children follow.
            continue;
        }
        if size > len - pos {
            return Err(corrupt(format!(
                "webm: element at byte {pos} needs {size} bytes, only {} left",
                len - pos
            )));
        }
        r.seek_relative(size as i64)?;
        pos += size;
    }
    Ok(())
}

/// Read an EBML variable-length integer with its length marker removed.
/// `Ok(None)` = invalid (too long or hit EOF mid-number).
fn read_ebml_vint(r: &mut impl Read, max_len: usize) -> std::io::Result<Option<(u64, usize)>> {
    let mut first = [0u8; 1];
    if read_up_to(r, &mut first)? == 0 {
        return Ok(None);
    }
    let len = first[0].leading_zeros() as usize + 1;
    if len > max_len {
        return Ok(None);
    }
    let mut value = u64::from(first[0]) & (0xff >> len);
    let mut rest = [0u8; 7];
    if read_up_to(r, &mut rest[..len - 1])? != len - 1 {
        return Ok(None);
    }
    for b in &rest[..len - 1] {
        value = (value << 8) | u64::from(*b);
    }
    Ok(Some((value, len)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/media")
            .join(name)
    }

    fn fixture_bytes(name: &str) -> Vec<u8> {
        std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
    }

    /// A file in the temp dir, removed on drop.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(tag: &str, bytes: &[u8]) -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "msf-audio-{}-{}-{tag}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::write(&path, bytes).unwrap();
            TempFile(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn probe_bytes(tag: &str, bytes: &[u8]) -> Result<AudioInfo, MediaError> {
        let f = TempFile::new(tag, bytes);
        probe_audio(&f.0)
    }

    fn assert_corrupt(what: &str, r: Result<AudioInfo, MediaError>) {
        match r {
            Err(MediaError::Corrupt {
                kind: MediaKind::Audio,
                ..
            }) => {}
            other => panic!("{what}: expected Corrupt, got {other:?}"),
        }
    }

    /// (fixture, mime, extension, rounded secs, exact secs per ffmpeg).
    const VALID: &[(&str, &str, &str, u32, f64)] = &[
        ("chrome_mediarecorder.webm", "audio/webm", "webm", 4, 4.26),
        ("speech_live.webm", "audio/webm", "webm", 3, 3.30),
        ("long_live.webm", "audio/webm", "webm", 75, 75.30),
        ("speech.webm", "audio/webm", "webm", 3, 3.30),
        ("speech.opus", "audio/ogg", "ogg", 3, 3.30),
        ("speech_vorbis.ogg", "audio/ogg", "ogg", 3, 3.30),
        ("speech.mp3", "audio/mpeg", "mp3", 3, 3.30),
        ("speech.m4a", "audio/mp4", "m4a", 3, 3.30),
        ("speech_isom.mp4", "audio/mp4", "m4a", 3, 3.30),
        ("speech_fragmented.mp4", "audio/mp4", "m4a", 3, 3.30),
        ("speech.aac", "audio/aac", "aac", 3, 3.30),
        ("speech.wav", "audio/wav", "wav", 3, 2.60),
    ];

    #[test]
    fn valid_fixtures_report_type_and_duration() {
        for &(name, mime, ext, secs, exact) in VALID {
            let info = probe_audio(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(
                info,
                AudioInfo {
                    mime,
                    extension: ext,
                    duration_seconds: secs
                },
                "{name}"
            );
            let (_, precise) = probe_seconds(&fixture(name)).unwrap();
            // Encoders add up to ~1 frame of priming/padding (AAC: 2048 samples).
            assert!(
                (precise - exact).abs() < 0.12,
                "{name}: measured {precise:.3}s, expected {exact}s"
            );
        }
    }

    #[test]
    fn type_comes_from_bytes_not_name() {
        // An MP3 saved as .webm is still reported as MP3.
        let info = probe_bytes("renamed.webm", &fixture_bytes("speech.mp3")).unwrap();
        assert_eq!(info.mime, "audio/mpeg");
        assert_eq!(info.extension, "mp3");
    }

    #[test]
    fn live_webm_without_duration_header_is_scanned() {
        // MediaRecorder-style: unknown-size Segment and Clusters, no Duration.
        let bytes = fixture_bytes("chrome_mediarecorder.webm");
        assert_eq!(
            &bytes[0x24..0x2c],
            &[0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff]
        );
        let (_, secs) = probe_seconds(&fixture("long_live.webm")).unwrap();
        assert!((secs - 75.3).abs() < 0.1, "{secs}");
    }

    #[test]
    fn non_audio_and_video_are_unsupported() {
        for name in ["video_with_audio.mp4", "video_with_audio.webm"] {
            let r = probe_audio(&fixture(name));
            assert!(
                matches!(r, Err(MediaError::UnsupportedType(MediaKind::Audio))),
                "{name}: {r:?}"
            );
        }
        let png = {
            let mut v = Vec::new();
            image::RgbImage::new(4, 4)
                .write_to(&mut std::io::Cursor::new(&mut v), image::ImageFormat::Png)
                .unwrap();
            v
        };
        let flac = b"fLaC\0\0\0\x22".repeat(64);
        let text = b"Once upon a time there was a farm.\n".repeat(40);
        for (tag, bytes) in [("png", &png[..]), ("flac", &flac[..]), ("txt", &text[..])] {
            let r = probe_bytes(tag, bytes);
            assert!(
                matches!(r, Err(MediaError::UnsupportedType(MediaKind::Audio))),
                "{tag}: {r:?}"
            );
        }
        let msg = MediaError::UnsupportedType(MediaKind::Audio).user_message();
        assert_eq!(
            msg,
            "That file isn't a recording we can play. Please use MP3, M4A, WAV, OGG or WebM audio."
        );
    }

    #[test]
    fn empty_file_is_empty() {
        assert!(matches!(
            probe_bytes("empty", b""),
            Err(MediaError::Empty(MediaKind::Audio))
        ));
    }

    #[test]
    fn missing_file_is_io_error() {
        let r = probe_audio(Path::new("/nonexistent/recording.webm"));
        assert!(matches!(r, Err(MediaError::Io(_))), "{r:?}");
    }

    #[test]
    fn truncated_files_are_corrupt() {
        for &(name, ..) in VALID {
            let bytes = fixture_bytes(name);
            assert_corrupt(
                &format!("{name} first 1000 bytes"),
                probe_bytes(name, &bytes[..1000]),
            );
            assert_corrupt(
                &format!("{name} first half"),
                probe_bytes(name, &bytes[..bytes.len() / 2]),
            );
        }
        // Cut inside the last block: only the EBML walk can see this for live WebM.
        for name in [
            "chrome_mediarecorder.webm",
            "speech_live.webm",
            "long_live.webm",
            "speech.opus",
            "speech.wav",
        ] {
            let bytes = fixture_bytes(name);
            assert_corrupt(
                &format!("{name} minus 100 bytes"),
                probe_bytes(name, &bytes[..bytes.len() - 100]),
            );
        }
        let msg = corrupt("x").user_message();
        assert_eq!(msg, "The recording seems damaged or incomplete. Please try recording or uploading it again.");
    }

    #[test]
    fn valid_header_then_random_bytes_is_corrupt() {
        let mut rng = XorShift(0x5eed);
        for name in [
            "chrome_mediarecorder.webm",
            "speech_live.webm",
            "speech.webm",
            "speech.opus",
            "speech.mp3",
            "speech.m4a",
            "speech.aac",
        ] {
            let bytes = fixture_bytes(name);
            for keep in [64usize, 1000] {
                let mut junk = bytes[..keep].to_vec();
                junk.extend((keep..bytes.len()).map(|_| rng.next() as u8));
                assert_corrupt(
                    &format!("{name} header({keep}) + random"),
                    probe_bytes(name, &junk),
                );
            }
        }
        // WAV: a header promising more data than present is truncation. (A WAV
        // header followed by the promised amount of random bytes is valid noise.)
        let wav = fixture_bytes("speech.wav");
        let mut junk = wav[..44].to_vec();
        junk.extend((0..1000).map(|_| rng.next() as u8));
        assert_corrupt("wav header + short random", probe_bytes("wav", &junk));
    }

    #[test]
    fn zero_length_audio_is_corrupt() {
        // Chrome WebM with everything from the first Cluster removed.
        let webm = fixture_bytes("chrome_mediarecorder.webm");
        let cluster = webm
            .windows(4)
            .position(|w| w == [0x1f, 0x43, 0xb6, 0x75])
            .unwrap();
        assert_corrupt(
            "webm without clusters",
            probe_bytes("nocluster.webm", &webm[..cluster]),
        );
        // WAV with an empty data chunk.
        let mut wav = fixture_bytes("speech.wav");
        let data = wav.windows(4).position(|w| w == b"data").unwrap();
        wav.truncate(data + 8);
        wav[data + 4..data + 8].copy_from_slice(&0u32.to_le_bytes());
        let riff_len = (wav.len() - 8) as u32;
        wav[4..8].copy_from_slice(&riff_len.to_le_bytes());
        assert_corrupt("wav with 0-byte data chunk", probe_bytes("zero.wav", &wav));
    }

    /// Ogg page CRC (polynomial 0x04c11db7, not reflected).
    fn ogg_crc(page: &[u8]) -> u32 {
        let mut crc = 0u32;
        for &b in page {
            crc ^= u32::from(b) << 24;
            for _ in 0..8 {
                crc = if crc & 0x8000_0000 != 0 {
                    (crc << 1) ^ 0x04c1_1db7
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    #[test]
    fn absurd_timestamps_are_corrupt() {
        // Give the last Ogg page a granule position of ~11 years.
        let mut ogg = fixture_bytes("speech.opus");
        let last = ogg.windows(4).rposition(|w| w == b"OggS").unwrap();
        ogg[last + 6..last + 14].copy_from_slice(&(48_000u64 * 3600 * 24 * 4000).to_le_bytes());
        ogg[last + 22..last + 26].fill(0);
        let crc = ogg_crc(&ogg[last..]);
        ogg[last + 22..last + 26].copy_from_slice(&crc.to_le_bytes());
        // symphonia times packets by their own durations, so this shows up
        // as "header says 345600000s, packets cover 3.3s": truncated.
        assert_corrupt("ogg with absurd granule", probe_bytes("granule.opus", &ogg));
    }

    #[test]
    fn real_demuxer_panic_is_caught() {
        // Found by `mutated_inputs_never_panic`: symphonia-format-isomp4 0.6.1
        // overflows a subtraction in MoofSegment::sample_timing (stream.rs:152).
        // With overflow checks (debug/test builds) that is a panic, which the
        // guard turns into Corrupt; release builds wrap silently instead.
        let r = probe_audio(&fixture("fuzz_moof_overflow.mp4"));
        if cfg!(debug_assertions) {
            assert!(
                matches!(&r, Err(MediaError::Corrupt { detail, .. }) if detail.contains("panic")),
                "{r:?}"
            );
        }
    }

    #[test]
    fn measurement_checks() {
        assert_eq!(check_measurement(3.3, 100, None).unwrap(), 3.3);
        assert_eq!(check_measurement(3.3, 100, Some(3.4)).unwrap(), 3.3);
        assert_eq!(check_measurement(95.0, 100, Some(96.5)).unwrap(), 95.0); // within 2 %
        assert_corrupt(
            "no packets",
            check_measurement(0.0, 0, None).map(|_| unreachable!()),
        );
        assert_corrupt(
            "nan",
            check_measurement(f64::NAN, 3, None).map(|_| unreachable!()),
        );
        assert_corrupt(
            "cut",
            check_measurement(1.6, 50, Some(3.3)).map(|_| unreachable!()),
        );
        let r = check_measurement(MAX_RECORDING_SECONDS + 1.0, 9, None);
        assert!(
            matches!(&r, Err(MediaError::Corrupt { detail, .. }) if detail.contains("implausible")),
            "{r:?}"
        );
    }

    /// Cheap deterministic mutation fuzzing: flipped bytes, zeroed and
    /// repeated ranges must only ever give Ok or a MediaError, never panic or hang.
    #[test]
    fn mutated_inputs_never_panic() {
        let mut rng = XorShift(42);
        let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
        for &(name, ..) in VALID {
            let original = fixture_bytes(name);
            let iters = std::env::var("FUZZ_ITERS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(25);
            for _ in 0..iters {
                let mut b = original.clone();
                for _ in 0..1 + rng.next() % 8 {
                    let i = (rng.next() as usize) % b.len();
                    match rng.next() % 3 {
                        0 => b[i] ^= 1 << (rng.next() % 8),
                        1 => {
                            let end = (i + 1 + rng.next() as usize % 64).min(b.len());
                            b[i..end].fill(0xff);
                        }
                        _ => {
                            let end = (i + 1 + rng.next() as usize % 512).min(b.len());
                            let chunk = b[i..end].to_vec();
                            b.splice(i..i, chunk);
                        }
                    }
                }
                let key = match probe_bytes(name, &b) {
                    Ok(_) => "ok".to_string(),
                    Err(MediaError::Corrupt { detail, .. }) if detail.contains("panic") => {
                        eprintln!("{name}: caught {detail}");
                        if let Ok(dir) = std::env::var("FUZZ_DUMP") {
                            let _ = std::fs::write(format!("{dir}/panic-{name}"), &b);
                        }
                        "caught panic".to_string()
                    }
                    Err(e) => format!("{e:?}")
                        .split(['(', ' '])
                        .next()
                        .unwrap()
                        .to_string(),
                };
                *outcomes.entry(key).or_default() += 1;
            }
        }
        eprintln!("mutation outcomes: {outcomes:?}");
    }

    #[test]
    fn opus_toc_durations() {
        assert_eq!(opus_packet_samples(&[]), 0);
        assert_eq!(opus_packet_samples(&[0xf8]), 960); // config 31 (CELT FB 20 ms), code 0: 1 frame
        assert_eq!(opus_packet_samples(&[0x18]), 2880); // config 3 (SILK NB 60 ms), code 0
        assert_eq!(opus_packet_samples(&[0x09]), 1920); // config 1 (SILK 20 ms), code 1: 2 frames
        assert_eq!(opus_packet_samples(&[0x83, 3]), 360); // config 16 (CELT 2.5 ms), code 3: M=3
        assert_eq!(opus_packet_samples(&[0x1b, 63]), 5760); // config 3 (60 ms), code 3: M=63, capped at 120 ms
    }

    #[test]
    fn rounding() {
        assert_eq!(round_seconds(0.01), 1);
        assert_eq!(round_seconds(2.49), 2);
        assert_eq!(round_seconds(2.5), 3);
        assert_eq!(round_seconds(1e12), u32::MAX);
    }

    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }
}
