use super::*;
use image::{Rgb, Rgba, RgbaImage};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut v = Vec::new();
    img.write_to(&mut Cursor::new(&mut v), format).unwrap();
    v
}

/// 40×20: left half red, right half blue.
fn red_blue() -> RgbImage {
    RgbImage::from_fn(40, 20, |x, _| if x < 20 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) })
}

/// Noisy gradient so JPEG sizes are realistic.
fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)) % 23;
        Rgb([((x * 255 / w) + n) as u8, ((y * 255 / h) + n) as u8, 128])
    })
}

fn decode_jpeg(bytes: &[u8]) -> RgbImage {
    assert_eq!(infer::get(bytes).map(|t| t.mime_type()), Some("image/jpeg"));
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).unwrap().into_rgb8()
}

fn is_red(p: Rgb<u8>) -> bool {
    p.0[0] > 200 && p.0[1] < 60 && p.0[2] < 60
}

fn is_blue(p: Rgb<u8>) -> bool {
    p.0[0] < 60 && p.0[1] < 60 && p.0[2] > 200
}

/// Markers of a JPEG up to Start Of Scan.
fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], &[0xff, 0xd8]);
    let mut markers = vec![];
    let mut i = 2;
    while i + 4 <= bytes.len() {
        assert_eq!(bytes[i], 0xff, "marker expected at {i}");
        let m = bytes[i + 1];
        markers.push(m);
        if m == 0xda {
            break;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        i += 2 + len;
    }
    markers
}

/// Minimal little-endian EXIF APP1 with Orientation, DateTimeOriginal and
/// a GPS latitude, spliced in right after SOI.
fn with_exif(jpeg: &[u8], orientation: u16, date: &str) -> Vec<u8> {
    let mut t: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: u32| {
        t.extend(tag.to_le_bytes());
        t.extend(typ.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value.to_le_bytes());
    };
    // IFD0 at 8: 3 entries -> 2 + 36 + 4 = 42 bytes, ends at 50.
    let exif_ifd = 50u32; // 1 entry: 2 + 12 + 4 = 18 -> ends at 68
    let date_off = 68u32; // 20 bytes -> 88
    let gps_ifd = 88u32; // 2 entries: 2 + 24 + 4 = 30 -> 118
    let lat_off = 118u32; // 3 rationals = 24 bytes
    t.extend(3u16.to_le_bytes());
    entry(&mut t, 0x0112, 3, 1, u32::from(orientation));
    entry(&mut t, 0x8769, 4, 1, exif_ifd);
    entry(&mut t, 0x8825, 4, 1, gps_ifd);
    t.extend(0u32.to_le_bytes());
    t.extend(1u16.to_le_bytes());
    entry(&mut t, 0x9003, 2, 20, date_off);
    t.extend(0u32.to_le_bytes());
    assert_eq!(date.len(), 19);
    t.extend(date.as_bytes());
    t.push(0);
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, 5, 3, lat_off);
    t.extend(0u32.to_le_bytes());
    for (n, d) in [(51u32, 1u32), (30, 1), (252, 100)] {
        t.extend(n.to_le_bytes());
        t.extend(d.to_le_bytes());
    }
    let mut app1 = vec![0xff, 0xe1];
    app1.extend(((t.len() + 8) as u16).to_be_bytes());
    app1.extend(b"Exif\0\0");
    app1.extend(t);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A syntactically valid PNG whose IHDR claims `w × h` RGBA8 but whose
/// IDAT holds almost nothing: a decompression-bomb-shaped header.
fn huge_png_header(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        png.extend(&body);
        png.extend(crc32(&body).to_be_bytes());
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]); // 8-bit RGBA
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn exiftool_orientation_6_fixture_is_rotated_cw() {
    let bytes = fixture("photo_orient6_gps.jpg");
    let p = process_photo(&bytes).unwrap();
    assert_eq!((p.width, p.height), (20, 40));
    assert_eq!(p.display_size, (20, 40));
    assert_eq!(p.thumbnail_size, (20, 40));
    assert_eq!((p.mime, p.extension, p.original_mime), ("image/jpeg", "jpg", "image/jpeg"));
    let out = decode_jpeg(&p.display);
    assert_eq!(out.dimensions(), (20, 40));
    // Rotating 90° CW puts the original left (red) half on top.
    assert!(is_red(*out.get_pixel(10, 8)), "top: {:?}", out.get_pixel(10, 8));
    assert!(is_blue(*out.get_pixel(10, 31)), "bottom: {:?}", out.get_pixel(10, 31));
    assert_eq!(p.taken_at.as_deref(), Some("2019-07-04T15:30:12+02:00"));
}

#[test]
fn generated_exif_orientations() {
    let jpeg = encode(&DynamicImage::ImageRgb8(red_blue()), ImageFormat::Jpeg);
    // 6 = rotate 90° CW (red on top), 8 = 90° CCW (red at bottom),
    // 3 = 180° (red on the right), 1 = as stored, 2 = mirrored,
    // 5/7 = transpose/transverse.
    for (orientation, size, red_at, blue_at) in [
        (6, (20, 40), (10, 8), (10, 31)),
        (8, (20, 40), (10, 31), (10, 8)),
        (3, (40, 20), (31, 10), (8, 10)),
        (1, (40, 20), (8, 10), (31, 10)),
        (2, (40, 20), (31, 10), (8, 10)), // mirrored
        (5, (20, 40), (10, 8), (10, 31)), // transpose
        (7, (20, 40), (10, 31), (10, 8)), // transverse
    ] {
        let p = process_photo(&with_exif(&jpeg, orientation, "2001:02:03 04:05:06")).unwrap();
        let out = decode_jpeg(&p.display);
        assert_eq!(out.dimensions(), size, "orientation {orientation}");
        assert_eq!((p.width, p.height), size);
        assert!(is_red(*out.get_pixel(red_at.0, red_at.1)), "orientation {orientation}");
        assert!(is_blue(*out.get_pixel(blue_at.0, blue_at.1)), "orientation {orientation}");
        assert_eq!(p.taken_at.as_deref(), Some("2001-02-03T04:05:06"));
    }
}

#[test]
fn outputs_carry_no_exif_or_gps() {
    for input in [
        fixture("photo_orient6_gps.jpg"),
        with_exif(&encode(&DynamicImage::ImageRgb8(gradient(900, 700)), ImageFormat::Jpeg), 6, "2020:01:01 00:00:00"),
    ] {
        // Inputs do have EXIF + GPS ...
        let exif_in = exif::Reader::new().read_from_container(&mut Cursor::new(&input)).unwrap();
        assert!(exif_in.fields().any(|f| f.ifd_num == exif::In::PRIMARY && f.tag.context() == exif::Context::Gps));
        let p = process_photo(&input).unwrap();
        for (name, out) in [("display", &p.display), ("thumbnail", &p.thumbnail)] {
            let markers = jpeg_markers(out);
            assert!(!markers.contains(&0xe1), "{name} has an APP1 segment: {markers:x?}");
            assert!(!out.windows(6).any(|w| w == b"Exif\0\0"), "{name} contains an Exif header");
            assert!(!out.windows(4).any(|w| w == b"http"), "{name} contains XMP");
            // ... outputs don't.
            assert!(exif::Reader::new().read_from_container(&mut Cursor::new(out)).is_err(), "{name}");
        }
    }
}

#[test]
fn resizes_without_upscaling() {
    let big = encode(&DynamicImage::ImageRgb8(gradient(2400, 1800)), ImageFormat::Jpeg);
    let p = process_photo(&big).unwrap();
    assert_eq!((p.width, p.height), (2400, 1800));
    assert_eq!(p.display_size, (1600, 1200));
    assert_eq!(p.thumbnail_size, (480, 360));
    assert_eq!(decode_jpeg(&p.display).dimensions(), (1600, 1200));
    assert_eq!(decode_jpeg(&p.thumbnail).dimensions(), (480, 360));
    assert_eq!(p.taken_at, None);

    let tall = encode(&DynamicImage::ImageRgb8(gradient(900, 2000)), ImageFormat::Png);
    let p = process_photo(&tall).unwrap();
    assert_eq!(p.display_size, (720, 1600));
    assert_eq!(p.thumbnail_size, (216, 480));

    let small = encode(&DynamicImage::ImageRgb8(gradient(300, 200)), ImageFormat::Png);
    let p = process_photo(&small).unwrap();
    assert_eq!((p.width, p.height), (300, 200));
    assert_eq!(p.display_size, (300, 200));
    assert_eq!(p.thumbnail_size, (300, 200));
    assert_eq!(decode_jpeg(&p.thumbnail).dimensions(), (300, 200));
}

#[test]
fn large_rotated_photo_is_resized_then_oriented() {
    let img = RgbImage::from_fn(2400, 1800, |x, _| if x < 1200 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
    let jpeg = with_exif(&encode(&DynamicImage::ImageRgb8(img), ImageFormat::Jpeg), 6, "2010:10:10 10:10:10");
    let p = process_photo(&jpeg).unwrap();
    assert_eq!((p.width, p.height), (1800, 2400));
    assert_eq!(p.display_size, (1200, 1600));
    assert_eq!(p.thumbnail_size, (360, 480));
    let d = decode_jpeg(&p.display);
    assert_eq!(d.dimensions(), (1200, 1600));
    assert!(is_red(*d.get_pixel(600, 300)) && is_blue(*d.get_pixel(600, 1300)));
    let t = decode_jpeg(&p.thumbnail);
    assert!(is_red(*t.get_pixel(180, 90)) && is_blue(*t.get_pixel(180, 390)));
}

#[test]
fn fit_within_keeps_aspect() {
    assert_eq!(fit_within(6000, 4000, 1600), (1600, 1067));
    assert_eq!(fit_within(4000, 6000, 480), (320, 480));
    assert_eq!(fit_within(12000, 1, 480), (480, 1));
    assert_eq!(fit_within(1600, 1600, 1600), (1600, 1600));
    assert_eq!(fit_within(10, 10, 480), (10, 10));
}

#[test]
fn png_alpha_is_flattened_on_white() {
    let img = RgbaImage::from_fn(64, 32, |x, _| if x < 32 { Rgba([0, 0, 0, 0]) } else { Rgba([0, 128, 0, 255]) });
    let p = process_photo(&encode(&DynamicImage::ImageRgba8(img), ImageFormat::Png)).unwrap();
    assert_eq!(p.original_mime, "image/png");
    assert_eq!(p.mime, "image/jpeg");
    let out = decode_jpeg(&p.display);
    let transparent = out.get_pixel(8, 16);
    assert!(transparent.0.iter().all(|&c| c > 240), "transparent -> white, got {transparent:?}");
    let green = out.get_pixel(56, 16);
    assert!(green.0[1] > 100 && green.0[0] < 40, "{green:?}");
}

#[test]
fn webp_and_grayscale_inputs() {
    let webp = {
        let mut v = Vec::new();
        let enc = image::codecs::webp::WebPEncoder::new_lossless(&mut v);
        enc.write_image(red_blue().as_raw(), 40, 20, ExtendedColorType::Rgb8).unwrap();
        v
    };
    let p = process_photo(&webp).unwrap();
    assert_eq!((p.original_mime, p.width, p.height), ("image/webp", 40, 20));
    assert!(is_red(*decode_jpeg(&p.display).get_pixel(8, 10)));

    let gray = DynamicImage::ImageLuma16(image::ImageBuffer::from_fn(50, 40, |x, _| image::Luma([x as u16 * 1000])));
    let p = process_photo(&encode(&gray, ImageFormat::Png)).unwrap();
    assert_eq!(p.display_size, (50, 40));
}

#[test]
fn unsupported_types() {
    // 1×1 GIF.
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08mdat".to_vec();
    let cases: [(&str, Vec<u8>); 5] = [
        ("gif", gif),
        ("bmp", b"BM".iter().copied().chain(std::iter::repeat_n(0, 60)).collect()),
        ("heic", heic),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n".to_vec()),
        ("text", b"not a photo at all".to_vec()),
    ];
    for (name, bytes) in cases {
        let r = process_photo(&bytes);
        assert!(matches!(r, Err(MediaError::UnsupportedType(MediaKind::Photo))), "{name}: {r:?}");
    }
    assert_eq!(
        MediaError::UnsupportedType(MediaKind::Photo).user_message(),
        "That file isn't a photo we can use. Please upload a JPEG, PNG or WebP image."
    );
    assert!(matches!(process_photo(b""), Err(MediaError::Empty(MediaKind::Photo))));
}

#[test]
fn huge_dimensions_rejected_from_header_fast() {
    for (w, h) in [(20_000, 20_000), (12_001, 10), (10, 12_001), (10_000, 10_000), (8_001, 8_000)] {
        // Only a header, no pixels: TooLarge (not "damaged") shows it was refused from the
        // header, before any decoding.
        let png = huge_png_header(w, h);
        match process_photo(&png) {
            Err(MediaError::TooLarge(msg)) => {
                assert!(msg.contains(&format!("{w} × {h}")), "{msg}");
                assert!(msg.contains("12000") && msg.contains("64 megapixels"), "{msg}");
            }
            other => panic!("{w}x{h}: expected TooLarge, got {other:?}"),
        }
    }
    // The same through a JPEG whose SOF0 claims 20000×20000.
    let mut jpeg = encode(&DynamicImage::ImageRgb8(red_blue()), ImageFormat::Jpeg);
    let sof = jpeg.windows(2).position(|w| w == [0xff, 0xc0]).expect("baseline SOF0");
    jpeg[sof + 5..sof + 7].copy_from_slice(&20_000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&20_000u16.to_be_bytes());
    assert!(matches!(process_photo(&jpeg), Err(MediaError::TooLarge(_))));
    // Limits just inside are fine (tested small to keep the suite fast).
    let ok = encode(&DynamicImage::ImageRgb8(gradient(12_000, 8)), ImageFormat::Png);
    assert_eq!(process_photo(&ok).unwrap().display_size, (1600, 1));
}

#[test]
fn truncated_or_garbage_is_corrupt() {
    let img = DynamicImage::ImageRgb8(gradient(400, 300));
    let mut rng = 0x1234_5678u64;
    let mut rand_byte = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng as u8
    };
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
        let bytes = encode(&img, format);
        for cut in [bytes.len() / 2, 200, 40] {
            let r = process_photo(&bytes[..cut]);
            assert!(
                matches!(r, Err(MediaError::Corrupt { kind: MediaKind::Photo, .. })),
                "{format:?} cut at {cut}: {r:?}"
            );
        }
        let mut junk = bytes[..64].to_vec();
        junk.extend((64..bytes.len()).map(|_| rand_byte()));
        let r = process_photo(&junk);
        assert!(matches!(r, Err(MediaError::Corrupt { .. })), "{format:?} header + random: {r:?}");
    }
    assert_eq!(corrupt("x").user_message(), "The photo seems damaged or incomplete. Please try uploading it again.");
}

#[test]
fn mutated_inputs_never_panic() {
    let img = DynamicImage::ImageRgb8(gradient(120, 90));
    let inputs = [
        encode(&img, ImageFormat::Png),
        encode(&img, ImageFormat::Jpeg),
        encode(&img, ImageFormat::WebP),
        fixture("photo_orient6_gps.jpg"),
    ];
    let iters = std::env::var("FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let mut rng = 99u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for original in &inputs {
        for _ in 0..iters {
            let mut b = original.clone();
            for _ in 0..1 + next() % 6 {
                let i = (next() as usize) % b.len();
                match next() % 3 {
                    0 => b[i] ^= 1 << (next() % 8),
                    1 => b[i] = 0xff,
                    _ => b.truncate(i.max(16)),
                }
            }
            let key = match process_photo(&b) {
                Ok(_) => "ok".to_string(),
                Err(MediaError::Corrupt { detail, .. }) if detail.contains("panic") => {
                    eprintln!("caught {detail}");
                    "caught panic".to_string()
                }
                Err(e) => format!("{e:?}").split(['(', ' ']).next().unwrap().to_string(),
            };
            *outcomes.entry(key).or_default() += 1;
        }
    }
    eprintln!("photo mutation outcomes: {outcomes:?}");
}

#[test]
fn taken_at_rejects_blank_dates() {
    let jpeg = encode(&DynamicImage::ImageRgb8(red_blue()), ImageFormat::Jpeg);
    let p = process_photo(&with_exif(&jpeg, 1, "0000:00:00 00:00:00")).unwrap();
    assert_eq!(p.taken_at, None);
    let p = process_photo(&jpeg).unwrap();
    assert_eq!(p.taken_at, None);
}

#[test]
fn print_rendition_is_upright_fits_its_box_and_never_upscales() {
    // Stored 40×20 with "rotate 90°": upright it is 20×40, left (red) half on top.
    let (jpeg, w, h) = print_rendition(&fixture("photo_orient6_gps.jpg"), 1000, 1000).unwrap();
    assert_eq!((w, h), (20, 40), "never upscaled, axes swapped");
    let img = decode_jpeg(&jpeg);
    assert_eq!(img.dimensions(), (20, 40));
    let top = img.get_pixel(10, 5);
    assert!(top[0] > 200 && top[2] < 80, "red on top: {top:?}");
    assert!(!jpeg.windows(4).any(|w| w == b"Exif"), "no EXIF (no GPS) in the print file");

    let big = encode(&DynamicImage::ImageRgb8(gradient(3000, 2000)), ImageFormat::Jpeg);
    let (_, w, h) = print_rendition(&big, 1350, 1350).unwrap();
    assert_eq!((w, h), (1350, 900));
    let (_, w, h) = print_rendition(&big, 3000, 600).unwrap();
    assert_eq!((w, h), (900, 600));
    assert!(print_rendition(b"not an image", 100, 100).is_err());
}
