//! Byte-level checks symphonia does not make: whether an MP3 declares its exact length, and
//! whether a WebM file's element structure is complete (a cut-off upload is refused).
use std::fs::File;
use std::io::{BufReader, ErrorKind, Read, Seek, SeekFrom};

use super::corrupt;
use crate::server::media::error::MediaError;

/// Does this MP3 start with a Xing/Info (LAME) or VBRI header, i.e. an exact
/// frame count? Looks right after any ID3v2 tag. Leaves `file` anywhere.
pub(super) fn mp3_has_length_header(file: &mut File, head: &[u8]) -> std::io::Result<bool> {
    let mut offset: u64 = 0;
    if head.len() >= 10 && &head[..3] == b"ID3" {
        let size = head[6..10].iter().fold(0u64, |acc, b| (acc << 7) | u64::from(b & 0x7f));
        let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
        offset = 10 + size + footer;
    }
    // Xing/Info sit after the side info (≤ 36 bytes in); VBRI at byte 36.
    let mut frame_start = [0u8; 192];
    file.seek(SeekFrom::Start(offset))?;
    let n = read_up_to(file, &mut frame_start)?;
    let window = &frame_start[..n];
    Ok([b"Xing", b"Info", b"VBRI"].iter().any(|tag| window.windows(4).any(|w| w == *tag)))
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
pub(super) fn webm_structure_complete(file: &mut File) -> Result<(), MediaError> {
    let len = file.metadata()?.len();
    let mut r = BufReader::new(file);
    let mut pos: u64 = 0;
    while pos < len {
        let (_id, id_len) =
            read_ebml_vint(&mut r, 4)?.ok_or_else(|| corrupt(format!("webm: bad element id at byte {pos}")))?;
        let (size, size_len) =
            read_ebml_vint(&mut r, 8)?.ok_or_else(|| corrupt(format!("webm: bad element size at byte {pos}")))?;
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
            return Err(corrupt(format!("webm: element at byte {pos} needs {size} bytes, only {} left", len - pos)));
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
