//! Lulu's answers in words: transport failures and error bodies become a [`LuluError`]
//! whose text a person can act on.
use super::*;

pub(super) fn to_json<T: Serialize>(value: &T) -> Result<String, LuluError> {
    serde_json::to_string(value)
        .map_err(|err| LuluError::Misconfigured(format!("a request could not be written: {err}")))
}

pub(super) fn transport(err: reqwest::Error) -> LuluError {
    if err.is_builder() {
        return LuluError::Misconfigured(format!("a request to Lulu could not be made: {err}"));
    }
    let what = if err.is_timeout() {
        "Lulu did not answer in time"
    } else if err.is_connect() {
        "could not connect to Lulu"
    } else {
        "the connection to Lulu failed"
    };
    tracing::warn!(error = %err, "{what}");
    LuluError::Transient(what.to_owned())
}

/// An unsuccessful answer (other than the 401 `call` handles) as an error, in Lulu's words.
pub(super) fn failure(status: StatusCode, body: &[u8]) -> LuluError {
    let code = status.as_u16();
    let said = readable(body);
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT {
        let said = said.map(|s| format!(": {s}")).unwrap_or_default();
        return LuluError::Transient(format!("Lulu answered HTTP {code}{said}"));
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        let said = said.map(|s| format!(": {s}")).unwrap_or_default();
        return LuluError::Misconfigured(format!("Lulu refused our account (HTTP {code}){said}"));
    }
    LuluError::Rejected(said.unwrap_or_else(|| format!("Lulu answered HTTP {code} without a reason.")))
}

/// Lulu's error body as sentences: `{"detail": "Not found."}`, Django's
/// `{"shipping_address": {"postcode": ["This field is required."]}}`, or the address
/// validator's `{"shipping_address": {"detail": {"errors": [{"path": ..., "message": ...}]}}}`.
pub(super) fn readable(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() || text.starts_with('<') {
        return None;
    }
    let mut lines = Vec::new();
    match serde_json::from_str::<Value>(text) {
        Ok(value) => describe(&value, &mut Vec::new(), &mut lines),
        Err(_) => lines.push(clip(text, 300).to_owned()),
    }
    let mut seen = std::collections::HashSet::new();
    lines.retain(|line| seen.insert(line.clone()));
    let joined = lines.join(" ");
    (!joined.is_empty()).then(|| clip(&joined, 1000).to_owned())
}

/// Keys that only wrap the messages: left out of the field path.
const WRAPPERS: [&str; 7] =
    ["detail", "details", "errors", "error", "error_description", "non_field_errors", "__all__"];

pub(super) fn describe(value: &Value, path: &mut Vec<String>, out: &mut Vec<String>) {
    match value {
        Value::String(s) if !s.trim().is_empty() => out.push(sentence(path, s.trim())),
        Value::Array(items) => items.iter().for_each(|item| describe(item, path, out)),
        Value::Object(map) => {
            if let Some(Value::String(message)) = map.get("message") {
                let mut path = path.clone();
                if let Some(Value::String(field)) = map.get("path").or_else(|| map.get("field")) {
                    path.push(field.replace('_', " "));
                }
                out.push(sentence(&path, message.trim()));
                return;
            }
            for (key, value) in map {
                if WRAPPERS.contains(&key.as_str()) {
                    describe(value, path, out);
                } else {
                    path.push(key.replace('_', " "));
                    describe(value, path, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

fn sentence(path: &[String], message: &str) -> String {
    if path.is_empty() {
        message.to_owned()
    } else {
        format!("{}: {message}", path.join(" "))
    }
}

/// At most `max` bytes, cut at a character boundary.
pub(super) fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

pub(super) fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok())).collect()
}
