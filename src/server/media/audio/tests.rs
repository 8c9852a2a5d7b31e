use super::*;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name)
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
        Err(MediaError::Corrupt { kind: MediaKind::Audio, .. }) => {}
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
        assert_eq!(info, AudioInfo { mime, extension: ext, duration_seconds: secs }, "{name}");
        let (_, precise) = probe_seconds(&fixture(name)).unwrap();
        // Encoders add up to ~1 frame of priming/padding (AAC: 2048 samples).
        assert!((precise - exact).abs() < 0.12, "{name}: measured {precise:.3}s, expected {exact}s");
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
    assert_eq!(&bytes[0x24..0x2c], &[0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff]);
    let (_, secs) = probe_seconds(&fixture("long_live.webm")).unwrap();
    assert!((secs - 75.3).abs() < 0.1, "{secs}");
}

#[test]
fn non_audio_and_video_are_unsupported() {
    for name in ["video_with_audio.mp4", "video_with_audio.webm"] {
        let r = probe_audio(&fixture(name));
        assert!(matches!(r, Err(MediaError::UnsupportedType(MediaKind::Audio))), "{name}: {r:?}");
    }
    let png = {
        let mut v = Vec::new();
        image::RgbImage::new(4, 4).write_to(&mut std::io::Cursor::new(&mut v), image::ImageFormat::Png).unwrap();
        v
    };
    let flac = b"fLaC\0\0\0\x22".repeat(64);
    let text = b"Once upon a time there was a farm.\n".repeat(40);
    for (tag, bytes) in [("png", &png[..]), ("flac", &flac[..]), ("txt", &text[..])] {
        let r = probe_bytes(tag, bytes);
        assert!(matches!(r, Err(MediaError::UnsupportedType(MediaKind::Audio))), "{tag}: {r:?}");
    }
    let msg = MediaError::UnsupportedType(MediaKind::Audio).user_message();
    assert_eq!(msg, "That file isn't a recording we can play. Please use MP3, M4A, WAV, OGG or WebM audio.");
}

#[test]
fn empty_file_is_empty() {
    assert!(matches!(probe_bytes("empty", b""), Err(MediaError::Empty(MediaKind::Audio))));
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
        assert_corrupt(&format!("{name} first 1000 bytes"), probe_bytes(name, &bytes[..1000]));
        assert_corrupt(&format!("{name} first half"), probe_bytes(name, &bytes[..bytes.len() / 2]));
    }
    // Cut inside the last block: only the EBML walk can see this for live WebM.
    for name in ["chrome_mediarecorder.webm", "speech_live.webm", "long_live.webm", "speech.opus", "speech.wav"] {
        let bytes = fixture_bytes(name);
        assert_corrupt(&format!("{name} minus 100 bytes"), probe_bytes(name, &bytes[..bytes.len() - 100]));
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
            assert_corrupt(&format!("{name} header({keep}) + random"), probe_bytes(name, &junk));
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
    let cluster = webm.windows(4).position(|w| w == [0x1f, 0x43, 0xb6, 0x75]).unwrap();
    assert_corrupt("webm without clusters", probe_bytes("nocluster.webm", &webm[..cluster]));
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
            crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04c1_1db7 } else { crc << 1 };
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
        assert!(matches!(&r, Err(MediaError::Corrupt { detail, .. }) if detail.contains("panic")), "{r:?}");
    }
}

#[test]
fn measurement_checks() {
    assert_eq!(check_measurement(3.3, 100, None).unwrap(), 3.3);
    assert_eq!(check_measurement(3.3, 100, Some(3.4)).unwrap(), 3.3);
    assert_eq!(check_measurement(95.0, 100, Some(96.5)).unwrap(), 95.0); // within 2 %
    assert_corrupt("no packets", check_measurement(0.0, 0, None).map(|_| unreachable!()));
    assert_corrupt("nan", check_measurement(f64::NAN, 3, None).map(|_| unreachable!()));
    assert_corrupt("cut", check_measurement(1.6, 50, Some(3.3)).map(|_| unreachable!()));
    let r = check_measurement(MAX_RECORDING_SECONDS + 1.0, 9, None);
    assert!(matches!(&r, Err(MediaError::Corrupt { detail, .. }) if detail.contains("implausible")), "{r:?}");
}

/// Cheap deterministic mutation fuzzing: flipped bytes, zeroed and
/// repeated ranges must only ever give Ok or a MediaError, never panic or hang.
#[test]
fn mutated_inputs_never_panic() {
    let mut rng = XorShift(42);
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for &(name, ..) in VALID {
        let original = fixture_bytes(name);
        let iters = std::env::var("FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(25);
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
                Err(e) => format!("{e:?}").split(['(', ' ']).next().unwrap().to_string(),
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
