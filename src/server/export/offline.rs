//! The two files in the ZIP meant for people: README.txt and index.html, a page that shows
//! every story with its photos and plays its recordings from the files beside it, in any
//! browser, with no network and no script.
use serde_json::Value;

use crate::server::mail::html_escape;
use crate::server::markdown::to_safe_html;

pub const README: &str = "\
Your MyStoryFlow data
=====================

Open index.html in any web browser to read every story, see its photos and play its
recordings. It works without an internet connection; keep this folder together.

What is in this folder
----------------------
index.html          every story, photo and recording, to read and listen to
profile/            your picture, if you added one
data.json           everything in a form other programs can read: your profile, your
                    memberships, the campaigns you own (with their family, photos, books
                    and orders), every story in them and every story you wrote elsewhere,
                    with comments, hearts and transcriptions
campaigns/          one folder per campaign you own, numbered in the order you made them:
  NN Title/photos/          the photos as they were uploaded (full size)
  NN Title/stories/NNN Title/recording.*   a story's recording, in the family's order
  NN Title/books/           the latest PDF of each book that was made
other-families/     stories you wrote in other families' campaigns, laid out the same way

Dates and times in data.json are in UTC. A file that could not be read when this copy was
made is listed under \"missing_files\" in data.json (normally the list is empty).
";

/// Percent-encodes each segment of a relative path, so names with spaces, apostrophes or
/// any script work as links from index.html.
fn href(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            segment
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn text(value: &Value) -> String {
    html_escape(value.as_str().unwrap_or_default())
}

fn day(value: &Value) -> String {
    value
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_default()
}

pub fn index_html(data: &Value, missing: &[String]) -> String {
    let name = data["profile"]["name"].as_str().unwrap_or_default();
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · MyStoryFlow</title><style>{STYLE}</style></head><body><main>\
         <h1>Stories kept by {}</h1><p class=\"meta\">Copied from MyStoryFlow on {}.</p>",
        html_escape(name),
        html_escape(name),
        day(&data["exported_at"]),
    );
    let owned = data["campaigns"].as_array().cloned().unwrap_or_default();
    let others = data["other_families"].as_array().cloned().unwrap_or_default();
    if owned.is_empty() && others.is_empty() {
        html.push_str("<p>There are no stories in this copy.</p>");
    }
    html.push_str("<nav aria-label=\"Campaigns\"><ul>");
    for (i, campaign) in owned.iter().chain(others.iter()).enumerate() {
        html.push_str(&format!("<li><a href=\"#c{i}\">{}</a></li>", text(&campaign["title"])));
    }
    html.push_str("</ul></nav>");
    for (i, campaign) in owned.iter().chain(others.iter()).enumerate() {
        campaign_html(&mut html, i, campaign);
    }
    if !missing.is_empty() {
        html.push_str("<section><h2>Files that could not be copied</h2><ul>");
        for path in missing {
            html.push_str(&format!("<li>{}</li>", html_escape(path)));
        }
        html.push_str("</ul></section>");
    }
    html.push_str("</main></body></html>\n");
    html
}

fn campaign_html(html: &mut String, i: usize, campaign: &Value) {
    html.push_str(&format!("<section aria-labelledby=\"c{i}\"><h2 id=\"c{i}\">{}</h2>", text(&campaign["title"])));
    if let Some(teller) = campaign["storyteller_name"].as_str() {
        html.push_str(&format!("<p class=\"meta\">The life stories of {}</p>", html_escape(teller)));
    }
    let photos: std::collections::HashMap<String, &Value> = campaign["photos"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?.to_owned(), p)))
        .collect();
    let stories = campaign["stories"].as_array().cloned().unwrap_or_default();
    if stories.is_empty() {
        html.push_str("<p>No stories yet.</p>");
    }
    for story in &stories {
        html.push_str(&format!("<article><h3>{}</h3>", text(&story["title"])));
        let by = story["written_by"].as_str().map(|b| format!("by {} · ", html_escape(b))).unwrap_or_default();
        html.push_str(&format!("<p class=\"meta\">{by}{}</p>", day(&story["created_at"])));
        if let Some(file) = story["audio"]["file"].as_str() {
            html.push_str(&format!(
                "<figure><figcaption>Recording</figcaption><audio controls preload=\"metadata\" src=\"{}\">\
                 <a href=\"{}\">Play the recording</a></audio></figure>",
                href(file),
                href(file)
            ));
        }
        for photo in story["photos"].as_array().into_iter().flatten() {
            let Some(file) = photo["file"].as_str() else { continue };
            let caption =
                photo["id"].as_str().and_then(|id| photos.get(id)).map(|p| text(&p["caption"])).unwrap_or_default();
            let alt = if caption.is_empty() { "A photo of this story".to_owned() } else { caption.clone() };
            html.push_str(&format!(
                "<figure><img src=\"{}\" alt=\"{alt}\" loading=\"lazy\">{}</figure>",
                href(file),
                if caption.is_empty() { String::new() } else { format!("<figcaption>{caption}</figcaption>") }
            ));
        }
        let content = story["content"].as_str().unwrap_or_default();
        if !content.trim().is_empty() {
            html.push_str(&format!("<div class=\"story\">{}</div>", to_safe_html(content)));
        }
        if let Some(transcription) = story["transcription"].as_str().filter(|t| !t.trim().is_empty()) {
            html.push_str(&format!(
                "<details><summary>Transcription of the recording</summary><p>{}</p></details>",
                html_escape(transcription)
            ));
        }
        let comments = story["comments"].as_array().cloned().unwrap_or_default();
        if !comments.is_empty() {
            html.push_str("<h4>Comments</h4><ul class=\"comments\">");
            for comment in comments {
                html.push_str(&format!(
                    "<li><strong>{}</strong>: {}</li>",
                    text(&comment["by"]),
                    text(&comment["body"])
                ));
            }
            html.push_str("</ul>");
        }
        html.push_str("</article>");
    }
    let loose: Vec<&Value> = campaign["photos"].as_array().into_iter().flatten().collect();
    if !loose.is_empty() {
        html.push_str("<h3>All photos</h3><div class=\"gallery\">");
        for photo in loose {
            let Some(file) = photo["file"].as_str() else { continue };
            let caption = text(&photo["caption"]);
            let alt = if caption.is_empty() { "A family photo".to_owned() } else { caption };
            html.push_str(&format!("<a href=\"{0}\"><img src=\"{0}\" alt=\"{alt}\" loading=\"lazy\"></a>", href(file)));
        }
        html.push_str("</div>");
    }
    for book in campaign["books"].as_array().into_iter().flatten() {
        if let Some(file) = book["pdf_file"].as_str() {
            html.push_str(&format!("<p><a href=\"{}\">The book “{}” (PDF)</a></p>", href(file), text(&book["title"])));
        }
    }
    html.push_str("</section>");
}

const STYLE: &str = "body{font-family:Georgia,serif;font-size:1.15rem;line-height:1.6;color:#1f1a17;\
background:#fbf8f3;margin:0}main{max-width:42rem;margin:0 auto;padding:1.5rem}h1,h2,h3{line-height:1.25}\
h2{margin-top:2.5rem;border-bottom:1px solid #d9cfc2}article{margin:2rem 0}.meta{color:#5c5148}\
img{max-width:100%;height:auto;border-radius:4px}audio{width:100%}figure{margin:1rem 0}\
figcaption{color:#5c5148;font-size:.95rem}.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(8rem,1fr));gap:.5rem}\
a{color:#7a3b12}";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn links_are_encoded_and_words_escaped() {
        assert_eq!(href("campaigns/01 Dad's/rec.webm"), "campaigns/01%20Dad%27s/rec.webm");
        let data = json!({
            "profile": {"name": "Ann <b>"},
            "campaigns": [{"title": "Dad", "storyteller_name": "Dad", "photos": [], "books": [], "stories": [
                {"title": "<script>x</script>", "content": "Hello **there**", "created_at": "2026-11-28T10:00:00Z",
                 "audio": {"file": "campaigns/01 Dad/stories/001 A/recording.wav"}, "photos": [], "comments": []}
            ]}],
            "other_families": [],
        });
        let page = index_html(&data, &[]);
        assert!(page.contains("Ann &lt;b&gt;"));
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("<strong>there</strong>"));
        assert!(page.contains("src=\"campaigns/01%20Dad/stories/001%20A/recording.wav\""));
    }
}
