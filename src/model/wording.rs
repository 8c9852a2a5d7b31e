//! How numbers meet nouns on every page: "1 story", "2 stories", "1,204 words".

/// `n` and the noun in agreement, with thousands separated: `count(1, "story", "stories")`
/// is "1 story", `count(1204, "word", "words")` is "1,204 words".
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(count(0, "story", "stories"), "0 stories");
        assert_eq!(count(1, "story", "stories"), "1 story");
        assert_eq!(count(2, "photo", "photos"), "2 photos");
        assert_eq!(count(1_204_000, "word", "words"), "1,204,000 words");
    }
}
