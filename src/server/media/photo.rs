//! Photo uploads: sniff with `infer` (JPEG, PNG, WebP only), refuse huge
//! images from the header alone, decode, apply EXIF orientation, resize with
//! `fast_image_resize`, and re-encode as JPEG.
//!
//! Re-encoding is also the privacy step: the outputs carry no EXIF at all (no
//! GPS, no camera serials). Only the capture date is read out, separately,
//! with `kamadak-exif`.
//!
//! Synchronous and CPU-heavy (a 24 MP JPEG takes a few hundred ms): call it
//! from `spawn_blocking`.

use std::io::Cursor;

use fast_image_resize as fr;
use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage,
};

use super::error::{catch_panics, MediaError, MediaKind};

/// Largest accepted width or height, checked from the header before decoding.
pub const MAX_SIDE: u32 = 12_000;
/// Largest accepted pixel count (64 MP: every phone's and most cameras' full size), checked
/// from the header; decoding one costs up to 512 MB, and photos decode one at a time.
pub const MAX_PIXELS: u64 = 64_000_000;
/// Cap on the decoded buffer (a 100 MP RGBA16 PNG would need 800 MB).
const MAX_DECODED_BYTES: u64 = 512 * 1024 * 1024;
/// Long side of the `display` rendition.
pub const DISPLAY_MAX_SIDE: u32 = 1600;
/// Long side of the `thumbnail` rendition.
pub const THUMBNAIL_MAX_SIDE: u32 = 480;
pub const JPEG_QUALITY: u8 = 85;

/// Both renditions are JPEG, whatever came in.
const OUTPUT_MIME: &str = "image/jpeg";
const OUTPUT_EXTENSION: &str = "jpg";

#[derive(Clone)]
pub struct ProcessedPhoto {
    /// MIME type of `display` and `thumbnail` (always `image/jpeg`).
    pub mime: &'static str,
    /// Extension for the stored renditions (always `jpg`).
    pub extension: &'static str,
    /// Full-size dimensions after EXIF orientation was applied.
    pub width: u32,
    pub height: u32,
    /// JPEG, long side ≤ 1600 px (never upscaled), no EXIF.
    pub display: Vec<u8>,
    pub display_size: (u32, u32),
    /// JPEG, long side ≤ 480 px (never upscaled), no EXIF.
    pub thumbnail: Vec<u8>,
    pub thumbnail_size: (u32, u32),
    /// EXIF DateTimeOriginal (or DateTimeDigitized) as `YYYY-MM-DDTHH:MM:SS`,
    /// plus `±HH:MM` when the camera recorded OffsetTimeOriginal. Naive
    /// local time otherwise (parse with chrono's `NaiveDateTime`).
    pub taken_at: Option<String>,
    /// What was uploaded, as sniffed: `image/jpeg`, `image/png` or `image/webp`.
    pub original_mime: &'static str,
}

/// Byte buffers are summarised so logging a `ProcessedPhoto` stays short.
impl std::fmt::Debug for ProcessedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessedPhoto")
            .field("mime", &self.mime)
            .field("extension", &self.extension)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("display", &format_args!("<{} bytes>", self.display.len()))
            .field("display_size", &self.display_size)
            .field("thumbnail", &format_args!("<{} bytes>", self.thumbnail.len()))
            .field("thumbnail_size", &self.thumbnail_size)
            .field("taken_at", &self.taken_at)
            .field("original_mime", &self.original_mime)
            .finish()
    }
}

/// Validate and process an uploaded photo. See the module docs.
pub fn process_photo(bytes: &[u8]) -> Result<ProcessedPhoto, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty(MediaKind::Photo));
    }
    let (format, original_mime) = match infer::get(bytes).map(|t| t.mime_type()) {
        Some("image/jpeg") => (ImageFormat::Jpeg, "image/jpeg"),
        Some("image/png") => (ImageFormat::Png, "image/png"),
        Some("image/webp") => (ImageFormat::WebP, "image/webp"),
        _ => return Err(MediaError::UnsupportedType(MediaKind::Photo)),
    };
    catch_panics(MediaKind::Photo, || process(bytes, format, original_mime))
}

fn corrupt(detail: impl Into<String>) -> MediaError {
    MediaError::corrupt(MediaKind::Photo, detail)
}

fn too_large(width: u32, height: u32) -> MediaError {
    MediaError::TooLarge(format!(
        "That photo is too large ({width} × {height} pixels). Please upload a photo of at most \
         {MAX_SIDE} pixels on each side and {} megapixels in total.",
        MAX_PIXELS / 1_000_000
    ))
}

fn map_image_error(e: ImageError) -> MediaError {
    match e {
        ImageError::Limits(l) => {
            MediaError::TooLarge(format!("That photo is too large to process ({l}). Please upload a smaller photo."))
        }
        other => corrupt(other.to_string()),
    }
}

fn process(bytes: &[u8], format: ImageFormat, original_mime: &'static str) -> Result<ProcessedPhoto, MediaError> {
    // zune-jpeg (image's JPEG decoder) is lenient: a cut-off JPEG decodes with
    // the missing part filled grey. Require the end-of-image marker instead.
    if format == ImageFormat::Jpeg && !jpeg_has_end_of_image(bytes) {
        return Err(corrupt("jpeg has no end-of-image marker after its scan data (truncated)"));
    }

    // 1. Header only: dimensions. No pixel memory is allocated yet.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(map_image_error)?;

    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(corrupt("zero-sized image"));
    }
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(too_large(w, h));
    }
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        // Within the pixel caps but e.g. 16-bit RGBA: > 512 MB once decoded.
        return Err(MediaError::TooLarge(format!(
            "That photo is too large to process ({w} × {h} pixels at high bit depth). \
             Please upload it as a JPEG or a smaller image."
        )));
    }
    // Belt and braces: let the decoder enforce the same caps itself.
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    decoder.set_limits(limits).map_err(map_image_error)?;

    // 2. Metadata we keep: orientation (applied below) and an RGB ICC profile
    //    (so Display-P3 phone photos keep their colours). Broken metadata is
    //    not a reason to refuse the photo.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten().filter(|p| is_rgb_icc(p));

    // 3. Decode and flatten to RGB8.
    let img = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    let full = flatten_to_rgb8(img);
    let (width, height) = if swaps_axes(orientation) { (full.height(), full.width()) } else { full.dimensions() };

    // 4. Downscale first, *then* apply the orientation to the small image: the
    //    long side is the same either way, and rotating 24 MP would cost
    //    another full-size buffer and ~200 ms. The thumbnail is made from the
    //    display image (cheaper, looks the same at 480 px).
    let display = match downscale(&full, DISPLAY_MAX_SIDE)? {
        Some(smaller) => smaller, // `full` is dropped here
        None => full,
    };
    let display = orient(display, orientation);
    let thumbnail = downscale(&display, THUMBNAIL_MAX_SIDE)?.unwrap_or_else(|| display.clone());

    let display_jpeg = encode_jpeg(&display, icc.clone())?;
    let thumbnail_jpeg = encode_jpeg(&thumbnail, icc)?;

    Ok(ProcessedPhoto {
        mime: OUTPUT_MIME,
        extension: OUTPUT_EXTENSION,
        width,
        height,
        display: display_jpeg,
        display_size: display.dimensions(),
        thumbnail: thumbnail_jpeg,
        thumbnail_size: thumbnail.dimensions(),
        taken_at: exif_taken_at(bytes),
        original_mime,
    })
}

/// A photo for print, from the original: upright, at most `max_width` × `max_height` pixels
/// (never upscaled), JPEG at high quality. The ICC profile is dropped: typst places images
/// as sRGB, and the printer expects sRGB.
pub fn print_rendition(bytes: &[u8], max_width: u32, max_height: u32) -> Result<(Vec<u8>, u32, u32), MediaError> {
    catch_panics(MediaKind::Photo, || {
        let mut reader =
            ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| corrupt(e.to_string()))?;
        let mut limits = Limits::default();
        limits.max_alloc = Some(MAX_DECODED_BYTES);
        reader.limits(limits);
        let mut decoder = reader.into_decoder().map_err(map_image_error)?;
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let full = flatten_to_rgb8(DynamicImage::from_decoder(decoder).map_err(map_image_error)?);
        // Fit the box in the stored (unrotated) axes, then rotate the small image.
        let (bw, bh) = if swaps_axes(orientation) { (max_height, max_width) } else { (max_width, max_height) };
        let (w, h) = full.dimensions();
        let scale = (f64::from(bw.max(1)) / f64::from(w)).min(f64::from(bh.max(1)) / f64::from(h));
        let long_side = if scale < 1.0 { ((f64::from(w.max(h)) * scale).round() as u32).max(1) } else { w.max(h) };
        let small = downscale(&full, long_side)?.unwrap_or(full);
        let upright = orient(small, orientation);
        let mut out = Vec::with_capacity(upright.as_raw().len() / 6);
        JpegEncoder::new_with_quality(&mut out, PRINT_JPEG_QUALITY)
            .write_image(upright.as_raw(), upright.width(), upright.height(), ExtendedColorType::Rgb8)
            .map_err(|e| corrupt(format!("jpeg encode: {e}")))?;
        Ok((out, upright.width(), upright.height()))
    })
}

/// Print deserves more than the screen renditions' 85.
const PRINT_JPEG_QUALITY: u8 = 92;

/// Skip the length-prefixed header segments (APP1/EXIF may hold a thumbnail
/// with its own EOI) to the first Start-Of-Scan, then look for EOI (FF D9).
/// Entropy-coded data byte-stuffs every FF, so FF D9 can't occur by accident.
/// Data appended after EOI (e.g. Motion Photo video) doesn't matter.
fn jpeg_has_end_of_image(b: &[u8]) -> bool {
    let mut i = 2; // after SOI
    loop {
        // Tolerate junk/fill bytes between segments like decoders do.
        while i < b.len() && b[i] != 0xff {
            i += 1;
        }
        while i < b.len() && b[i] == 0xff {
            i += 1;
        }
        let Some(&marker) = b.get(i) else {
            return false;
        };
        i += 1;
        if marker == 0xd9 {
            return false; // EOI before any scan: no image data
        }
        if marker == 0x01 || marker == 0xd8 || (0xd0..=0xd7).contains(&marker) {
            continue; // stand-alone markers carry no length
        }
        let Some(len) = b.get(i..i + 2).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]]))) else {
            return false;
        };
        i += len;
        if marker == 0xda {
            break;
        }
    }
    b.get(i..).is_some_and(|scan| scan.windows(2).any(|w| w == [0xff, 0xd9]))
}

/// Output is JPEG, which has no alpha: composite transparent pixels onto
/// white (what a transparent PNG looks like on our white pages anyway).
fn flatten_to_rgb8(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = Vec::with_capacity(w as usize * h as usize * 3);
    for px in rgba.pixels() {
        let a = u32::from(px.0[3]);
        for c in &px.0[..3] {
            out.push(((u32::from(*c) * a + 255 * (255 - a) + 127) / 255) as u8);
        }
    }
    RgbImage::from_raw(w, h, out).expect("buffer sized for w*h*3")
}

/// Target size for a long side of at most `max`; never upscales.
fn fit_within(w: u32, h: u32, max: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max {
        return (w, h);
    }
    let scale = f64::from(max) / f64::from(long);
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, max);
    (side(w), side(h))
}

/// `None` when `src` already fits (we never upscale).
fn downscale(src: &RgbImage, max: u32) -> Result<Option<RgbImage>, MediaError> {
    let (w, h) = src.dimensions();
    let (nw, nh) = fit_within(w, h, max);
    if (nw, nh) == (w, h) {
        return Ok(None);
    }
    let src_view = fr::images::ImageRef::new(w, h, src.as_raw(), fr::PixelType::U8x3)
        .map_err(|e| corrupt(format!("resize source: {e}")))?;
    let mut dst = fr::images::Image::new(nw, nh, fr::PixelType::U8x3);
    let options = fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    fr::Resizer::new().resize(&src_view, &mut dst, &options).map_err(|e| corrupt(format!("resize: {e}")))?;
    let out = RgbImage::from_raw(nw, nh, dst.into_vec()).expect("fast_image_resize returns w*h*3");
    Ok(Some(out))
}

fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
    )
}

fn orient(img: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::NoTransforms {
        return img;
    }
    let mut dynamic = DynamicImage::ImageRgb8(img);
    dynamic.apply_orientation(orientation);
    dynamic.into_rgb8()
}

fn encode_jpeg(img: &RgbImage, icc: Option<Vec<u8>>) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    let mut encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    if let Some(profile) = icc {
        // Can't fail for JPEG; ignore if a future version says otherwise.
        let _ = encoder.set_icc_profile(profile);
    }
    encoder
        .write_image(img.as_raw(), img.width(), img.height(), ExtendedColorType::Rgb8)
        .map_err(|e| corrupt(format!("jpeg encode: {e}")))?;
    Ok(out)
}

/// ICC header bytes 16..20 name the data colour space. We output RGB, so a
/// CMYK or Gray profile from the source would be wrong to embed.
fn is_rgb_icc(profile: &[u8]) -> bool {
    profile.len() >= 128 && &profile[16..20] == b"RGB "
}

/// DateTimeOriginal (falling back to DateTimeDigitized), never GPS.
fn exif_taken_at(bytes: &[u8]) -> Option<String> {
    use exif::{In, Tag, Value};

    let exif = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)).ok()?;
    let ascii = |tag: Tag| -> Option<Vec<u8>> {
        match &exif.get_field(tag, In::PRIMARY)?.value {
            Value::Ascii(v) => v.first().cloned(),
            _ => None,
        }
    };
    let (raw, offset_tag) = ascii(Tag::DateTimeOriginal)
        .map(|v| (v, Tag::OffsetTimeOriginal))
        .or_else(|| ascii(Tag::DateTimeDigitized).map(|v| (v, Tag::OffsetTimeDigitized)))?;
    let mut dt = exif::DateTime::from_ascii(&raw).ok()?;
    let valid = (1800..=2200).contains(&dt.year)
        && (1..=12).contains(&dt.month)
        && (1..=31).contains(&dt.day)
        && dt.hour < 24
        && dt.minute < 60
        && dt.second < 61;
    if !valid {
        return None; // e.g. "0000:00:00 00:00:00" from cameras with no clock set
    }
    if let Some(offset) = ascii(offset_tag) {
        let _ = dt.parse_offset(&offset);
    }
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year,
        dt.month,
        dt.day,
        dt.hour,
        dt.minute,
        dt.second.min(59)
    );
    if let Some(mins) = dt.offset.filter(|m| m.abs() <= 14 * 60) {
        let sign = if mins < 0 { '-' } else { '+' };
        s.push_str(&format!("{sign}{:02}:{:02}", mins.abs() / 60, mins.abs() % 60));
    }
    Some(s)
}

#[cfg(test)]
mod tests;
