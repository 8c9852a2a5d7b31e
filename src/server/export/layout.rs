//! What goes where in the ZIP: every campaign and story gets a folder with a readable,
//! numbered name (numbers keep them unique and in the family's order), and data.json says
//! which file is which.
use std::collections::HashMap;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::server::db::{exports, UserTx};
use crate::server::keys;

/// A stored file and its path in the ZIP.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub path: String,
    pub key: String,
}

/// Where a campaign's stories go: one the person owns, or another family's.
#[derive(Debug, Clone, Copy)]
enum Place {
    Owned(usize),
    Other(usize),
}

#[derive(Debug)]
pub struct Layout {
    profile: Value,
    memberships: Value,
    campaigns: Vec<Value>,
    other_families: Vec<Value>,
    pub files: Vec<Planned>,
}

impl Layout {
    pub async fn gather(tx: &mut UserTx) -> Result<Layout, sqlx::Error> {
        let (profile, memberships) = exports::profile(tx).await?;
        let campaigns = exports::owned_campaigns(tx).await?;
        let stories = exports::stories(tx).await?;
        let photos_elsewhere = exports::photos_elsewhere(tx).await?;
        Ok(Layout::plan(profile, memberships, campaigns, stories, photos_elsewhere))
    }

    /// Gives every file its path and puts each story in its campaign.
    pub fn plan(
        mut profile: Value,
        memberships: Value,
        mut campaigns: Vec<Value>,
        stories: Vec<Value>,
        photos_elsewhere: Vec<Value>,
    ) -> Layout {
        let mut files = Vec::new();
        if let Some(key) = profile["avatar_url"].as_str().and_then(keys::avatar_from_url) {
            profile["picture_file"] = "profile/picture.jpg".into();
            files.push(Planned { path: "profile/picture.jpg".into(), key });
        }
        let mut folders: HashMap<Uuid, Place> = HashMap::new();
        let mut photo_files: HashMap<Uuid, String> = HashMap::new();
        for (i, campaign) in campaigns.iter_mut().enumerate() {
            let id = uuid(&campaign["id"]);
            let folder = format!("campaigns/{:02} {}", i + 1, readable(text(&campaign["title"]), "campaign"));
            folders.insert(id, Place::Owned(i));
            let photos = campaign["photos"].as_array_mut().map(std::mem::take).unwrap_or_default();
            campaign["photos"] = plan_photos(&folder, id, photos, &mut files, &mut photo_files).into();
            if let Some(books) = campaign["books"].as_array_mut() {
                for (k, book) in books.iter_mut().enumerate() {
                    let Some(render) = book["render_id"].as_str().and_then(|r| r.parse::<Uuid>().ok()) else {
                        continue;
                    };
                    let path = format!("{folder}/books/{:02} {}.pdf", k + 1, readable(text(&book["title"]), "book"));
                    let key = format!("{}/book.pdf", keys::render_prefix(id, uuid(&book["id"]), render));
                    book["pdf_file"] = path.clone().into();
                    files.push(Planned { path, key });
                }
            }
            campaign["folder"] = folder.into();
            campaign["stories"] = json!([]);
        }

        let mut other_families: Vec<Value> = Vec::new();
        let mut elsewhere: HashMap<Uuid, Vec<Value>> = HashMap::new();
        for photo in photos_elsewhere {
            elsewhere.entry(uuid(&photo["campaign_id"])).or_default().push(photo);
        }
        for mut story in stories {
            let campaign_id = uuid(&story["campaign_id"]);
            let place = match folders.get(&campaign_id) {
                Some(&place) => place,
                None => {
                    let n = other_families.len() + 1;
                    let title = text(&story["campaign_title"]).to_owned();
                    let folder = format!("other-families/{n:02} {}", readable(&title, "campaign"));
                    let photos = elsewhere.remove(&campaign_id).unwrap_or_default();
                    let photos = plan_photos(&folder, campaign_id, photos, &mut files, &mut photo_files);
                    other_families.push(json!({
                        "id": campaign_id, "title": title, "folder": folder, "photos": photos, "stories": [],
                    }));
                    let place = Place::Other(n - 1);
                    folders.insert(campaign_id, place);
                    place
                }
            };
            let campaign = match place {
                Place::Owned(i) => &mut campaigns[i],
                Place::Other(i) => &mut other_families[i],
            };
            let count = campaign["stories"].as_array().map_or(0, Vec::len);
            let folder = format!(
                "{}/stories/{:03} {}",
                text(&campaign["folder"]),
                count + 1,
                readable(text(&story["title"]), "story")
            );
            if let Some(audio) = story["audio"].as_object_mut() {
                let key = audio.remove("key").and_then(|k| k.as_str().map(str::to_owned));
                if let Some(key) = key {
                    let path = format!("{folder}/recording.{}", audio_extension(text(&audio["mime"])));
                    audio.insert("file".into(), path.clone().into());
                    files.push(Planned { path, key });
                }
            }
            let photos: Vec<Value> = story["photos"]
                .as_array()
                .map(|ids| ids.iter().map(|id| json!({ "id": id, "file": photo_files.get(&uuid(id)) })).collect())
                .unwrap_or_default();
            story["photos"] = photos.into();
            story["folder"] = folder.into();
            if let Some(list) = campaign["stories"].as_array_mut() {
                list.push(story);
            }
        }
        Layout { profile, memberships, campaigns, other_families, files }
    }

    /// data.json: everything above, and the files storage did not have (if any).
    pub fn data_json(&self, missing: &[String]) -> Value {
        json!({
            "format": "mystoryflow-export",
            "version": 1,
            "exported_at": chrono::Utc::now(),
            "profile": self.profile,
            "memberships": self.memberships,
            "campaigns": self.campaigns,
            "other_families": self.other_families,
            "missing_files": missing,
        })
    }
}

fn plan_photos(
    folder: &str,
    campaign_id: Uuid,
    photos: Vec<Value>,
    files: &mut Vec<Planned>,
    photo_files: &mut HashMap<Uuid, String>,
) -> Vec<Value> {
    photos
        .into_iter()
        .enumerate()
        .map(|(j, mut photo)| {
            let id = uuid(&photo["id"]);
            let stem = text(&photo["original_filename"])
                .rsplit_once('.')
                .map_or(text(&photo["original_filename"]), |(s, _)| s);
            let path = format!(
                "{folder}/photos/{:03} {}.{}",
                j + 1,
                readable(stem, "photo"),
                image_extension(text(&photo["mime_type"]))
            );
            photo_files.insert(id, path.clone());
            files.push(Planned { path: path.clone(), key: keys::photo(campaign_id, id, "original") });
            if let Some(fields) = photo.as_object_mut() {
                fields.insert("file".into(), path.into());
            }
            photo
        })
        .collect()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn uuid(value: &Value) -> Uuid {
    value.as_str().and_then(|s| s.parse().ok()).unwrap_or_default()
}

/// A file or folder name anyone can read and every system accepts: letters and digits of
/// any script, spaces and a little punctuation, at most 60 characters.
pub fn readable(name: &str, fallback: &str) -> String {
    let kept: String =
        name.chars().map(|c| if c.is_alphanumeric() || " -_',()&!".contains(c) { c } else { ' ' }).collect();
    let words = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = words.chars().take(60).collect();
    let cut = cut.trim().to_owned();
    if cut.is_empty() {
        fallback.to_owned()
    } else {
        cut
    }
}

fn audio_extension(mime: &str) -> &'static str {
    match mime.split(';').next().unwrap_or_default().trim() {
        "audio/webm" => "webm",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" | "audio/x-m4a" | "audio/aac" => "m4a",
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/flac" => "flac",
        _ => "audio",
    }
}

fn image_extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "jpg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_readable_and_safe() {
        assert_eq!(readable("Dad's Life: Stories / 1960s", "x"), "Dad's Life Stories 1960s");
        assert_eq!(readable("../../etc/passwd", "x"), "etc passwd");
        assert_eq!(readable("Ünsere Grüße 🎉", "x"), "Ünsere Grüße");
        assert_eq!(readable("  \u{202e}\n", "story"), "story");
        assert_eq!(readable(&"a".repeat(100), "x").chars().count(), 60);
    }

    #[test]
    fn every_story_lands_in_its_campaign_with_its_files() {
        let (c1, c2, other) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let photo = Uuid::new_v4();
        let campaigns = vec![
            json!({"id": c1, "title": "Dad's stories", "photos": [
                {"id": photo, "original_filename": "IMG_1.JPG", "mime_type": "image/jpeg"}], "books": []}),
            json!({"id": c2, "title": "Mum", "photos": [], "books": []}),
        ];
        let story = |campaign: Uuid, title: &str, audio: bool| {
            json!({"id": Uuid::new_v4(), "campaign_id": campaign, "campaign_title": "Theirs", "title": title,
                   "photos": if audio { json!([photo]) } else { json!([]) },
                   "audio": if audio { json!({"key": "campaigns/x/a.webm", "mime": "audio/webm;codecs=opus"}) } else { Value::Null }})
        };
        let stories = vec![
            story(c1, "Wedding", true),
            story(c1, "War", false),
            story(other, "Mine", false),
            story(c2, "Farm", false),
        ];
        let layout = Layout::plan(json!({}), json!([]), campaigns, stories, vec![]);
        let data = layout.data_json(&[]);
        assert_eq!(data["campaigns"][0]["stories"].as_array().unwrap().len(), 2);
        assert_eq!(data["campaigns"][1]["stories"].as_array().unwrap().len(), 1);
        assert_eq!(data["other_families"][0]["stories"][0]["title"], "Mine");
        let wedding = &data["campaigns"][0]["stories"][0];
        assert_eq!(wedding["audio"]["file"], "campaigns/01 Dad's stories/stories/001 Wedding/recording.webm");
        assert!(wedding["audio"].get("key").is_none(), "storage keys stay private");
        assert_eq!(wedding["photos"][0]["file"], "campaigns/01 Dad's stories/photos/001 IMG_1.jpg");
        assert_eq!(data["other_families"][0]["folder"], "other-families/01 Theirs");
        let paths: Vec<_> = layout.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "campaigns/01 Dad's stories/photos/001 IMG_1.jpg",
                "campaigns/01 Dad's stories/stories/001 Wedding/recording.webm"
            ]
        );
    }

    #[test]
    fn the_picture_comes_along() {
        let (user, id) = (Uuid::new_v4(), Uuid::new_v4());
        let profile = json!({ "avatar_url": crate::urls::avatar(user, id) });
        let layout = Layout::plan(profile, json!([]), vec![], vec![], vec![]);
        assert_eq!(layout.files, [Planned { path: "profile/picture.jpg".into(), key: keys::avatar(user, id) }]);
        assert_eq!(layout.data_json(&[])["profile"]["picture_file"], "profile/picture.jpg");
    }
}
