//! Books end to end: designing, the render job, the print PDF checked with poppler's tools
//! (page box with bleed, embedded fonts, pages in fours, TOC numbers where stories start),
//! preflight, ready-to-order and back to draft, listening links.
use std::io::Cursor;
use std::process::Command;

use http::StatusCode;
use image::codecs::jpeg::JpegEncoder;
use mystoryflow::api::books::{
    Book, BookProgress, CopyBook, CreateBook, DeleteBook, IncludeBookStory, MarkBookReady, MoveBookStory, RenderBook,
    RevokeShareLink, SaveBookCover, SaveBookDetails, SetBookQr,
};
use mystoryflow::server::books::run_once;
use sqlx::PgPool;
use uuid::Uuid;

use crate::fixtures::{family, media_file as fixture};
use crate::helpers::TestApp;

/// A photo-like JPEG (gradients and noise, so it compresses like a photo).
fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let n =
            (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(31)).wrapping_mul(2_654_435_761) >> 28;
        image::Rgb([(x * 255 / width) as u8 ^ n as u8, (y * 255 / height) as u8, (seed * 70 % 255) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img).unwrap();
    out.into_inner()
}

/// `jpeg` with an EXIF block saying "rotate 90° clockwise to show" (orientation 6), as
/// phones store portrait photos.
fn rotated_jpeg(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height, 9);
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend([0, 1]); // one entry
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation, SHORT, 1, = 6
    tiff.extend([0, 0, 0, 0]); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend([0xff, 0xe1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

async fn story(pool: &PgPool, campaign: Uuid, order: i32, title: &str, content: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO stories (campaign_id, title, content, status, story_order, created_by)
         SELECT $1, $2, $3, 'completed', $4, user_id FROM campaigns WHERE id = $1 RETURNING id",
    )
    .bind(campaign)
    .bind(title)
    .bind(content)
    .bind(order)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn upload_photo(app: &TestApp, cookie: &str, campaign: Uuid, story: Uuid, name: &str, bytes: &[u8]) -> Uuid {
    let reply = app
        .upload(&format!("/media/campaigns/{campaign}/photos?story={story}"), "photos", &[(name, bytes)], Some(cookie))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let v: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let id =
        v.as_array().and_then(|a| a.first()).map(|p| p["id"].clone()).unwrap_or_else(|| v["photos"][0]["id"].clone());
    id.as_str().unwrap().parse().unwrap()
}

async fn create_book(app: &TestApp, cookie: &str, campaign: Uuid, title: &str) -> Uuid {
    let reply = app.call(CreateBook { campaign_id: campaign, title: title.into() }, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let location = reply.header("location").expect("redirect to the designer");
    location.rsplit('/').next().unwrap().parse().unwrap()
}

/// A cover without photo or back text.
fn cover(campaign: Uuid, book: Uuid, layout: &str, colour: &str) -> SaveBookCover {
    SaveBookCover {
        campaign_id: campaign,
        book_id: book,
        layout: layout.into(),
        colour: colour.into(),
        photo_id: String::new(),
        back_text: String::new(),
    }
}

fn mark_ready(campaign: Uuid, book: Uuid, proofread: bool) -> MarkBookReady {
    MarkBookReady { campaign_id: campaign, book_id: book, proofread }
}

/// Runs queued renders until none is left.
async fn render_all(app: &TestApp) {
    while run_once(&app.state).await.unwrap() {}
}

struct BookState {
    status: String,
    render_status: String,
    page_count: i32,
    pdf_url: Option<String>,
    cover_pdf_url: Option<String>,
    preflight: serde_json::Value,
}

async fn book_state(pool: &PgPool, book: Uuid) -> BookState {
    let row: (String, String, i32, Option<String>, Option<String>, serde_json::Value) = sqlx::query_as(
        "SELECT status, render_status, page_count, pdf_url, cover_pdf_url, preflight FROM books WHERE id = $1",
    )
    .bind(book)
    .fetch_one(pool)
    .await
    .unwrap();
    BookState {
        status: row.0,
        render_status: row.1,
        page_count: row.2,
        pdf_url: row.3,
        cover_pdf_url: row.4,
        preflight: row.5,
    }
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} (poppler-utils) must be installed: {e}"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const TITLES: [&str; 10] = [
    "The farm in Iowa",
    "Walking to school",
    "Meeting your grandmother",
    "The summer of the flood",
    "Our first car",
    "Working at the mill",
    "Christmas on the farm",
    "The year we moved",
    "Fishing with my father",
    "What I want you to know",
];

fn content(i: usize) -> String {
    let mut s = format!(
        "We lived **far from town** and the winters were *long*. Story {i} begins here.\n\n\
         ## What happened\n\n> Mother always said: *waste not, want not.*\n\n"
    );
    for p in 0..6 {
        s += &format!(
            "Paragraph {p}. The barn smelled of hay and diesel, and the dog slept by the stove. We carried water \
             from the pump every morning, **even in January**, and my brother and I raced back to see who would \
             spill less. Those were _good_ years, though we didn't know it then.\n\n"
        );
    }
    s += "- the red tractor\n- the *old* radio\n\n";
    if i == 4 {
        s += "We laughed so hard 😂 that day.\n";
    }
    s
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_ten_story_book_renders_to_a_print_ready_pdf(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let mut stories = Vec::new();
    for (i, title) in TITLES.iter().enumerate() {
        stories.push(story(&pool, f.campaign, i as i32, title, &content(i)).await);
    }
    // Six photos: four large, one low-resolution, one portrait stored sideways with EXIF.
    for (i, story) in stories.iter().take(4).enumerate() {
        upload_photo(&app, &f.owner, f.campaign, *story, &format!("p{i}.jpg"), &jpeg(2400, 1600, i as u32)).await;
    }
    let low_res = upload_photo(&app, &f.owner, f.campaign, stories[5], "small.jpg", &jpeg(300, 200, 7)).await;
    let portrait =
        upload_photo(&app, &f.owner, f.campaign, stories[6], "portrait.jpg", &rotated_jpeg(2400, 1600)).await;
    let (w, h): (i32, i32) =
        sqlx::query_as("SELECT width, height FROM photos WHERE id = $1").bind(portrait).fetch_one(&pool).await.unwrap();
    assert_eq!((w, h), (1600, 2400), "EXIF orientation is applied");
    // A recording for the QR code.
    let audio = app
        .upload(
            &format!("/media/campaigns/{}/stories/{}/audio", f.campaign, stories[2]),
            "audio",
            &[("s.webm", &fixture("speech.webm"))],
            Some(&f.owner),
        )
        .await;
    assert_eq!(audio.status, StatusCode::OK, "{}", audio.body);

    let book = create_book(&app, &f.owner, f.campaign, "Dad's Life Stories").await;
    let qr = SetBookQr { campaign_id: f.campaign, book_id: book, story_id: stories[2], on: true };
    assert_eq!(app.call(qr, Some(&f.owner)).await.status, StatusCode::OK);
    let details = SaveBookDetails {
        campaign_id: f.campaign,
        book_id: book,
        title: "Dad's Life Stories".into(),
        subtitle: "Ninety years in his own words".into(),
        author_line: "As told by Robert Miller".into(),
        dedication: "For Emma, Noah and Lily".into(),
        trim: "6x9".into(),
        paper: "standard".into(),
        binding: "paperback".into(),
        template: "classic".into(),
    };
    assert_eq!(app.call(details, Some(&f.owner)).await.status, StatusCode::OK);
    let render = RenderBook { campaign_id: f.campaign, book_id: book };
    assert_eq!(app.call(render, Some(&f.owner)).await.status, StatusCode::OK);
    render_all(&app).await;

    let state = book_state(&pool, book).await;
    assert_eq!(state.render_status, "done", "{:?}", state.preflight);
    assert!(state.page_count > 0 && state.page_count % 4 == 0, "{} pages", state.page_count);
    let (stories_in, photos_in): (i32, i32) =
        sqlx::query_as("SELECT story_count, photo_count FROM books WHERE id = $1")
            .bind(book)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((stories_in, photos_in), (10, 6));

    let dir = std::env::temp_dir().join(format!("msf-book-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (status, headers, pdf) = app.get_bytes(state.pdf_url.as_deref().unwrap(), Some(&f.owner), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "application/pdf");
    let pdf_path = dir.join("book.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let path = pdf_path.to_str().unwrap();

    // Trim 6 × 9 in (432 × 648 pt) plus 0.125 in bleed on every side: 450 × 666 pt.
    let info = tool("pdfinfo", &["-box", path]);
    let page_size: Vec<&str> = info.lines().find(|l| l.starts_with("Page size:")).unwrap().split_whitespace().collect();
    assert_eq!(page_size[2..5], ["450", "x", "666"], "{info}");
    let trim_box = info.lines().find(|l| l.starts_with("TrimBox:")).unwrap();
    let numbers: Vec<f64> = trim_box.split_whitespace().skip(1).map(|n| n.parse().unwrap()).collect();
    assert_eq!(numbers, vec![9.0, 9.0, 441.0, 657.0], "{trim_box}");
    let pages: usize =
        info.lines().find(|l| l.starts_with("Pages:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    assert_eq!(pages, state.page_count as usize);
    assert_eq!(pages % 4, 0);

    let fonts = tool("pdffonts", &[path]);
    let font_rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_rows.is_empty(), "{fonts}");
    for row in &font_rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type [encoding] emb sub uni object ID: "emb" is the 5th field from the end.
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
    }

    // Bold and italic are set in real bold and italic faces.
    assert!(font_rows.iter().any(|r| r.contains("Bold")), "{fonts}");
    assert!(font_rows.iter().any(|r| r.contains("Italic")), "{fonts}");

    // The portrait photo is upright in the PDF (taller than wide); photos are full
    // resolution (300 dpi at their size), not the 1600 px screen rendition.
    let images = tool("pdfimages", &["-list", path]);
    let sizes: Vec<(u32, u32)> = images
        .lines()
        .skip(2)
        .filter_map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            Some((c.get(3)?.parse().ok()?, c.get(4)?.parse().ok()?))
        })
        .collect();
    assert!(sizes.iter().any(|(w, h)| h > w && *h > 900), "{images}");
    assert!(sizes.iter().any(|(w, _)| *w > 1200), "{images}");
    // Every photo is tagged sRGB (an ICC-based colour space), none left device-dependent.
    assert!(images.lines().skip(2).all(|l| l.split_whitespace().nth(5) == Some("icc")), "{images}");

    // Every story is listed in the contents with the page it starts on.
    let text = tool("pdftotext", &["-layout", path, "-"]).replace('\u{2060}', "");
    let pages_text: Vec<&str> = text.split('\u{c}').collect();
    let toc_page = pages_text.iter().position(|p| p.contains("Contents")).expect("a contents page");
    for title in TITLES {
        let line = pages_text[toc_page..toc_page + 2]
            .iter()
            .flat_map(|p| p.lines())
            .find(|l| l.contains(title))
            .unwrap_or_else(|| panic!("{title} is not in the contents"));
        let listed: usize =
            line.split_whitespace().last().unwrap().parse().unwrap_or_else(|_| panic!("no page number: {line}"));
        // A chapter opening has no running header: its text starts with the (maybe wrapped) title.
        let starts = pages_text
            .iter()
            .enumerate()
            .skip(toc_page + 1)
            .find(|(_, p)| p.split_whitespace().collect::<Vec<_>>().join(" ").starts_with(title))
            .map(|(i, _)| i + 1);
        assert_eq!(starts, Some(listed), "{title}: contents say page {listed}");
    }

    // The story with a recording carries its QR code; the others don't.
    let qr_pages: Vec<usize> =
        pages_text.iter().enumerate().filter(|(_, p)| p.contains("Scan to hear")).map(|(i, _)| i).collect();
    assert_eq!(qr_pages.len(), 1, "one QR code");
    assert!(pages_text[qr_pages[0]].contains(TITLES[2].split(' ').next_back().unwrap()), "{}", pages_text[qr_pages[0]]);

    // The cover spread is one page: back + spine + front, with bleed.
    let (status, _, cover) = app.get_bytes(state.cover_pdf_url.as_deref().unwrap(), Some(&f.owner), None).await;
    assert_eq!(status, StatusCode::OK);
    let cover_path = dir.join("cover.pdf");
    std::fs::write(&cover_path, &cover).unwrap();
    let cover_info = tool("pdfinfo", &[cover_path.to_str().unwrap()]);
    let size = cover_info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    let dims: Vec<f64> = size.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    assert!(dims[0] > 2.0 * 432.0 && dims[0] < 2.0 * 432.0 + 18.0 + 72.0, "{size}");
    assert_eq!(dims[1], 666.0, "{size}");

    // Preflight names the low-resolution photo (with its story and thumbnail) and the emoji.
    let findings = state.preflight.as_array().unwrap();
    let low =
        findings.iter().find(|f| f["message"].as_str().unwrap().contains("dpi")).expect("a low-resolution warning");
    assert_eq!(low["severity"], "warning");
    assert_eq!(low["story_id"], stories[5].to_string());
    assert!(low["photo_thumbnail_url"].as_str().unwrap().contains(&low_res.to_string()));
    let glyphs = findings
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("can't print"))
        .expect("a missing-glyph warning");
    assert_eq!(glyphs["story_id"], stories[4].to_string());
    assert!(glyphs["message"].as_str().unwrap().contains('😂'));
    assert!(findings.iter().all(|f| f["severity"] != "error"), "{findings:?}");
    // 26 pages of stories: blank "Notes" pages fill the paperback's 32, and the owner is told.
    let notes = findings.iter().find(|f| f["severity"] == "note").expect("a note about Notes pages");
    assert!(notes["message"].as_str().unwrap().contains("blank “Notes” pages"), "{notes}");

    // The preview images are served to members only.
    let page1 = format!("{}/pages/1.png", state.pdf_url.as_deref().unwrap().trim_end_matches("/book.pdf"));
    let (status, headers, png) = app.get_bytes(&page1, Some(&f.viewer), None).await;
    assert_eq!((status, headers.get("content-type").unwrap().to_str().unwrap()), (StatusCode::OK, "image/png"));
    assert!(png.starts_with(b"\x89PNG"));
    assert_eq!(app.get_bytes(&page1, Some(&f.outsider), None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get_bytes(&page1, None, None).await.0, StatusCode::UNAUTHORIZED);
    std::fs::remove_dir_all(&dir).ok();
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn ready_to_order_needs_a_current_checked_pdf_and_any_change_returns_to_draft(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let first = story(&pool, f.campaign, 0, "The farm", "We had **cows**.").await;
    story(&pool, f.campaign, 1, "The mill", "Hard work.").await;
    let book = create_book(&app, &f.owner, f.campaign, "Dad").await;
    let render = RenderBook { campaign_id: f.campaign, book_id: book };
    let ready = mark_ready(f.campaign, book, true);

    // Nothing rendered yet.
    let reply = app.call(ready.clone(), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    app.call(render.clone(), Some(&f.owner)).await;
    render_all(&app).await;
    assert_eq!(book_state(&pool, book).await.render_status, "done");
    // Not ticked: refused, nothing changes.
    let reply = app.call(MarkBookReady { proofread: false, ..ready.clone() }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("proofread"), "{}", reply.body);
    assert_eq!(book_state(&pool, book).await.status, "draft");
    // Only the owner marks a book ready.
    assert_eq!(app.call(ready.clone(), Some(&f.contributor)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call(ready.clone(), Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(book_state(&pool, book).await.status, "ready_to_order");

    // Editing the book returns it to draft, and the PDF is outdated.
    let text_only = cover(f.campaign, book, "text_only", "#336699");
    assert_eq!(app.call(text_only, Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(book_state(&pool, book).await.status, "draft");
    let progress = app.call(BookProgress { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await;
    assert!(progress.body.contains("\"outdated\":true"), "{}", progress.body);

    // So does editing a story that is in it (even by its author, who can't edit the book).
    app.call(render, Some(&f.owner)).await;
    render_all(&app).await;
    assert_eq!(app.call(ready, Some(&f.owner)).await.status, StatusCode::OK);
    sqlx::query("UPDATE stories SET content = 'We had **goats**.' WHERE id = $1")
        .bind(first)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(book_state(&pool, book).await.status, "draft");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn preflight_errors_block_ready_to_order(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    // Nothing written and nothing finished: the new book is empty.
    story(&pool, f.campaign, 0, "Draft only", "").await;
    sqlx::query("UPDATE stories SET status = 'draft'").execute(&pool).await.unwrap();
    let book = create_book(&app, &f.owner, f.campaign, "Empty").await;
    let full_bleed = cover(f.campaign, book, "full_bleed_photo", "#336699");
    assert_eq!(app.call(full_bleed, Some(&f.owner)).await.status, StatusCode::OK);
    app.call(RenderBook { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await;
    render_all(&app).await;
    let state = book_state(&pool, book).await;
    assert_eq!(state.render_status, "done");
    let errors: Vec<String> = state
        .preflight
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(errors.iter().any(|m| m.contains("no stories")), "{errors:?}");
    assert!(errors.iter().any(|m| m.contains("cover layout needs a photo")), "{errors:?}");
    let reply = app.call(mark_ready(f.campaign, book, true), Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(book_state(&pool, book).await.status, "draft");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn bad_design_input_is_refused_and_changes_nothing(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let book = create_book(&app, &f.owner, f.campaign, "Dad").await;
    let before: serde_json::Value =
        sqlx::query_scalar("SELECT design_data FROM books WHERE id = $1").bind(book).fetch_one(&pool).await.unwrap();
    let details = SaveBookDetails {
        campaign_id: f.campaign,
        book_id: book,
        title: "  ".into(),
        subtitle: String::new(),
        author_line: String::new(),
        dedication: String::new(),
        trim: "4x6".into(),
        paper: "standard".into(),
        binding: "paperback".into(),
        template: "gothic".into(),
    };
    let reply = app.call(details, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    for field in ["title", "trim", "template"] {
        assert!(reply.body.contains(field), "{field}: {}", reply.body);
    }
    let script = cover(f.campaign, book, "text_only", "javascript:alert(1)");
    assert_eq!(app.call(script, Some(&f.owner)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A photo of another campaign can't be the cover.
    let foreign =
        SaveBookCover { photo_id: Uuid::new_v4().to_string(), ..cover(f.campaign, book, "framed_photo", "#336699") };
    assert_eq!(app.call(foreign, Some(&f.owner)).await.status, StatusCode::NOT_FOUND);
    let after: serde_json::Value =
        sqlx::query_scalar("SELECT design_data FROM books WHERE id = $1").bind(book).fetch_one(&pool).await.unwrap();
    assert_eq!(before, after);
    assert_eq!(create_book_status(&app, &f.owner, f.campaign, "").await, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn create_book_status(app: &TestApp, cookie: &str, campaign: Uuid, title: &str) -> StatusCode {
    app.call(CreateBook { campaign_id: campaign, title: title.into() }, Some(cookie)).await.status
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_contributor_designs_books_only_when_the_owner_allows_it(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    assert_eq!(create_book_status(&app, &f.contributor, f.campaign, "Mine").await, StatusCode::FORBIDDEN);
    sqlx::query("UPDATE family_members SET permissions = '{\"can_design_books\": true}' WHERE email = 'contributor@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let book = create_book(&app, &f.contributor, f.campaign, "Mine").await;
    let render = RenderBook { campaign_id: f.campaign, book_id: book };
    assert_eq!(app.call(render.clone(), Some(&f.contributor)).await.status, StatusCode::OK);
    // Viewers see the book but can't change it, even with the flag (viewers write nothing).
    assert_eq!(app.call(Book { campaign_id: f.campaign, book_id: book }, Some(&f.viewer)).await.status, StatusCode::OK);
    assert_eq!(app.call(render, Some(&f.viewer)).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn stories_are_added_reordered_and_left_out(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let a = story(&pool, f.campaign, 0, "A", "a").await;
    let b = story(&pool, f.campaign, 1, "B", "b").await;
    let c = story(&pool, f.campaign, 2, "C", "").await;
    sqlx::query("UPDATE stories SET status = 'draft' WHERE id = $1").bind(c).execute(&pool).await.unwrap();
    let book = create_book(&app, &f.owner, f.campaign, "Dad").await;
    let order = || async {
        let design: serde_json::Value = sqlx::query_scalar("SELECT design_data FROM books WHERE id = $1")
            .bind(book)
            .fetch_one(&pool)
            .await
            .unwrap();
        design["stories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["story_id"].as_str().unwrap().parse::<Uuid>().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(order().await, vec![a, b], "stories with text, in campaign order; not the empty draft");
    let include =
        |s: Uuid, include: bool| IncludeBookStory { campaign_id: f.campaign, book_id: book, story_id: s, include };
    let moved =
        |s: Uuid, position: i32| MoveBookStory { campaign_id: f.campaign, book_id: book, story_id: s, position };
    assert_eq!(app.call(include(c, true), Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(app.call(moved(c, 0), Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(order().await, vec![c, a, b]);
    assert_eq!(app.call(include(a, false), Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(order().await, vec![c, b]);
    // A story of another campaign can't be added.
    assert_eq!(app.call(include(Uuid::new_v4(), true), Some(&f.owner)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(order().await, vec![c, b]);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_listening_link_plays_one_recording_until_it_is_revoked(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let s = story(&pool, f.campaign, 0, "The farm", "We had cows.").await;
    let other = story(&pool, f.campaign, 1, "The mill", "Work.").await;
    for id in [s, other] {
        let reply = app
            .upload(
                &format!("/media/campaigns/{}/stories/{id}/audio", f.campaign),
                "audio",
                &[("s.webm", &fixture("speech.webm"))],
                Some(&f.owner),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let book = create_book(&app, &f.owner, f.campaign, "Dad").await;
    let qr = |story: Uuid| SetBookQr { campaign_id: f.campaign, book_id: book, story_id: story, on: true };
    assert_eq!(app.call(qr(s), Some(&f.owner)).await.status, StatusCode::OK);
    let detail: serde_json::Value =
        serde_json::from_str(&app.call(Book { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await.body)
            .unwrap();
    let url = detail["included"][0]["share_url"].as_str().expect("a listening link").to_owned();
    let token = url.rsplit('/').next().unwrap().to_owned();
    assert!(detail["included"][1]["share_url"].is_null(), "only the chosen story has a link");

    // Anyone with the link hears that recording, without an account.
    let (status, headers, audio) = app.get_bytes(&format!("/media/listen/{token}"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "audio/webm");
    assert_eq!(audio, fixture("speech.webm"));
    let page = app.get(&format!("/listen/{token}"), None).await;
    assert!(page.body.contains("The farm") && page.body.contains("<audio"), "{}", page.body);
    // A forged token for another id is refused.
    let forged = format!("{}.{}", other.simple(), token.split_once('.').unwrap().1);
    assert_eq!(app.get_bytes(&format!("/media/listen/{forged}"), None, None).await.0, StatusCode::NOT_FOUND);

    let revoke = RevokeShareLink { campaign_id: f.campaign, book_id: book, story_id: s };
    assert_eq!(app.call(revoke, Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(app.get_bytes(&format!("/media/listen/{token}"), None, None).await.0, StatusCode::NOT_FOUND);
    let page = app.get(&format!("/listen/{token}"), None).await;
    assert!(page.body.contains("isn't available"), "{}", page.body);
    // A story without a recording gets no QR code.
    let silent = story(&pool, f.campaign, 2, "Quiet", "No audio.").await;
    let include = IncludeBookStory { campaign_id: f.campaign, book_id: book, story_id: silent, include: true };
    app.call(include, Some(&f.owner)).await;
    assert_eq!(app.call(qr(silent), Some(&f.owner)).await.status, StatusCode::CONFLICT);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn deleting_a_book_removes_its_print_files(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    story(&pool, f.campaign, 0, "The farm", "We had cows.").await;
    let book = create_book(&app, &f.owner, f.campaign, "Dad").await;
    let render = RenderBook { campaign_id: f.campaign, book_id: book };
    app.call(render.clone(), Some(&f.owner)).await;
    render_all(&app).await;
    let pdf = book_state(&pool, book).await.pdf_url.unwrap();
    assert_eq!(app.get_bytes(&pdf, Some(&f.owner), None).await.0, StatusCode::OK);
    // A second render replaces the first one's files.
    app.call(render, Some(&f.owner)).await;
    render_all(&app).await;
    let second = book_state(&pool, book).await.pdf_url.unwrap();
    assert_ne!(pdf, second);
    let key = |url: &str| url.trim_start_matches("/media/").to_owned();
    assert!(!app.state.storage.exists(&key(&pdf)).await);
    assert!(app.state.storage.exists(&key(&second)).await);
    assert_eq!(
        app.call(DeleteBook { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await.status,
        StatusCode::OK
    );
    assert!(!app.state.storage.exists(&key(&second)).await);
    assert_eq!(
        app.call(Book { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The render's own process publishes the PDF, then exits; if the server looks in between
/// (every 2 s), the render is no longer "in progress" but it is not replaced either: it must
/// not be stopped as replaced and its files removed (a finished book left without its PDF,
/// seen as "could not keep a copy of the book's files" when it was ordered).
#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_published_render_keeps_its_files_whatever_happens_to_its_process(pool: PgPool) {
    use mystoryflow::server::books::isolated;
    use mystoryflow::server::db::renders::{render_standing, Standing};
    use mystoryflow::server::jobs::Job;
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    story(&pool, f.campaign, 0, "The farm", "We had cows.").await;
    let book = create_book(&app, &f.owner, f.campaign, "Dad").await;
    app.call(RenderBook { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await;
    render_all(&app).await;
    let render: Uuid =
        sqlx::query_scalar("SELECT render_id FROM books WHERE id = $1").bind(book).fetch_one(&pool).await.unwrap();
    assert_eq!(
        render_standing(&app.state.db, book, render).await.unwrap(),
        Some((f.campaign, Standing::Published)),
        "the finished render is published, not replaced"
    );
    let job_id: i64 = sqlx::query_scalar("SELECT id FROM jobs WHERE kind = 'render_book' ORDER BY id DESC LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let job = Job {
        id: job_id,
        kind: "render_book".into(),
        payload: serde_json::json!({ "book_id": book, "render_job": render }),
        attempts: 1,
        max_attempts: 1,
    };
    // Its process stopped on the way out, or crashed after publishing: the book stays as it is.
    isolated::fail(&app.state, &job, "").await.unwrap();
    isolated::fail(&app.state, &job, "We couldn't make the PDF: it took longer than this server allows.")
        .await
        .unwrap();
    let state = book_state(&pool, book).await;
    assert_eq!(state.render_status, "done");
    let key = |url: &str| url.trim_start_matches("/media/").to_owned();
    assert!(app.state.storage.exists(&key(&state.pdf_url.unwrap())).await, "the published PDF is kept");
    assert!(app.state.storage.exists(&key(&state.cover_pdf_url.unwrap())).await, "and its cover");
    // A render the book no longer wants is replaced, and its files go.
    let other = Uuid::new_v4();
    assert_eq!(render_standing(&app.state.db, book, other).await.unwrap(), Some((f.campaign, Standing::Replaced)));
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_newer_render_supersedes_a_queued_one_and_a_missing_photo_is_left_out(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let s = story(&pool, f.campaign, 0, "The farm", "We had cows.").await;
    let photo = upload_photo(&app, &f.owner, f.campaign, s, "barn.jpg", &jpeg(1200, 800, 3)).await;
    // The original went missing from storage (a restore from an old backup, say).
    app.state.storage.delete(&[format!("campaigns/{}/photos/{photo}/original", f.campaign)]).await;
    let book = create_book(&app, &f.owner, f.campaign, "Dad").await;
    let render = RenderBook { campaign_id: f.campaign, book_id: book };
    assert_eq!(app.call(render.clone(), Some(&f.owner)).await.status, StatusCode::OK);
    assert_eq!(app.call(render, Some(&f.owner)).await.status, StatusCode::OK);
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs WHERE kind = 'render_book' AND status = 'queued'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 2);
    // The older job finds itself superseded and does nothing.
    assert!(run_once(&app.state).await.unwrap());
    let state = book_state(&pool, book).await;
    assert_eq!((state.render_status.as_str(), state.pdf_url), ("queued", None));
    render_all(&app).await;
    let state = book_state(&pool, book).await;
    assert_eq!(state.render_status, "done");
    // The newer render is the book's; the superseded one stored nothing.
    let jobs: Vec<String> =
        sqlx::query_scalar("SELECT payload->>'render_job' FROM jobs WHERE kind = 'render_book' ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(state.pdf_url.as_deref().unwrap().contains(&jobs[1]));
    let first = format!("campaigns/{}/books/{book}/renders/{}/book.pdf", f.campaign, jobs[0]);
    assert!(!app.state.storage.exists(&first).await);
    let left_out = state
        .preflight
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("couldn't be read"))
        .expect("a warning");
    assert_eq!(left_out["severity"], "warning");
    assert!(left_out["photo_thumbnail_url"].as_str().unwrap().contains(&photo.to_string()));
    let (photos,): (i32,) =
        sqlx::query_as("SELECT photo_count FROM books WHERE id = $1").bind(book).fetch_one(&pool).await.unwrap();
    assert_eq!(photos, 0);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn an_ordered_book_is_final_and_a_copy_starts_a_new_edition(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    story(&pool, f.campaign, 0, "The farm", "We had cows.").await;
    let book = create_book(&app, &f.owner, f.campaign, "Dad").await;
    let framed = cover(f.campaign, book, "framed_photo", "#336699");
    assert_eq!(app.call(framed.clone(), Some(&f.owner)).await.status, StatusCode::OK);
    // The orders work moves a book on; its design is final from then on.
    sqlx::query("UPDATE books SET status = 'ordered' WHERE id = $1").bind(book).execute(&pool).await.unwrap();
    let before: serde_json::Value =
        sqlx::query_scalar("SELECT design_data FROM books WHERE id = $1").bind(book).fetch_one(&pool).await.unwrap();
    let reply = app.call(framed, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    let delete = DeleteBook { campaign_id: f.campaign, book_id: book };
    assert_eq!(app.call(delete, Some(&f.owner)).await.status, StatusCode::CONFLICT);

    let reply = app.call(CopyBook { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let copy: Uuid = reply.header("location").unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let (title, status, design): (String, String, serde_json::Value) =
        sqlx::query_as("SELECT title, status, design_data FROM books WHERE id = $1")
            .bind(copy)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((title.as_str(), status.as_str()), ("Dad (copy)", "draft"));
    assert_eq!(design, before);
    let edit = cover(f.campaign, copy, "text_only", "#336699");
    assert_eq!(app.call(edit, Some(&f.owner)).await.status, StatusCode::OK);
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_new_book_starts_with_every_story_that_has_text_drafts_included(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    let finished = story(&pool, f.campaign, 0, "Finished", "The end.").await;
    let draft = story(&pool, f.campaign, 1, "Draft", "Half of it.").await;
    let blank = story(&pool, f.campaign, 2, "Blank", "  \n ").await;
    sqlx::query("UPDATE stories SET status = 'draft' WHERE id = ANY($1)")
        .bind(vec![draft, blank])
        .execute(&pool)
        .await
        .unwrap();
    let book = create_book(&app, &f.owner, f.campaign, "First book").await;
    let design: serde_json::Value =
        sqlx::query_scalar("SELECT design_data FROM books WHERE id = $1").bind(book).fetch_one(&pool).await.unwrap();
    let ids: Vec<String> =
        design["stories"].as_array().unwrap().iter().map(|s| s["story_id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, vec![finished.to_string(), draft.to_string()]);
    let detail = app.call(Book { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await;
    assert_eq!(detail.status, StatusCode::OK);
    let detail: serde_json::Value = serde_json::from_str(&detail.body).unwrap();
    let statuses: Vec<&str> =
        detail["included"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["completed", "draft"], "the designer marks the draft");
}

#[sqlx::test(fixtures(path = "../fixtures", scripts("users")))]
async fn a_book_too_long_to_print_is_refused_before_typesetting(pool: PgPool) {
    let app = TestApp::new(pool.clone()).await;
    let f = family(&app, &pool).await;
    // Seven stories at the 500,000-character limit: over 800 pages at any size.
    let long = "Every summer we walked to the river. ".repeat(13_000);
    for n in 0..7 {
        story(&pool, f.campaign, n, &format!("Summer {n}"), &long).await;
    }
    let book = create_book(&app, &f.owner, f.campaign, "Everything").await;
    let reply = app.call(RenderBook { campaign_id: f.campaign, book_id: book }, Some(&f.owner)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    render_all(&app).await;
    let state = book_state(&pool, book).await;
    assert_eq!(state.render_status, "failed");
    assert!(state.pdf_url.is_none(), "nothing was typeset");
    let error: String =
        sqlx::query_scalar("SELECT render_error FROM books WHERE id = $1").bind(book).fetch_one(&pool).await.unwrap();
    assert!(error.contains("more than the 800 a printed book can have"), "{error}");
}
