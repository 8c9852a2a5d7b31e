//! The browser bundle, gzipped once: the wasm is megabytes, and a storyteller on a phone with
//! a poor connection should download a third of it. Compressing it on every request would cost
//! seconds of CPU (the compression layer skips it), so at start-up every bundle file gets a
//! `.gz` copy beside it, made again whenever the file is newer than its copy; `ServeDir` then
//! serves the copy to browsers that accept gzip.
use std::io::Write;
use std::path::{Path, PathBuf};

use leptos::config::LeptosOptions;

const COMPRESSED: [&str; 3] = ["wasm", "js", "css"];

/// [`precompress`] when `compress`, else removes the copies (see `cli::serve`).
pub fn precompress_or_clear(dir: &Path, compress: bool) -> std::io::Result<usize> {
    if compress {
        return precompress(dir);
    }
    for path in files(dir) {
        if path.extension().is_some_and(|e| e == "gz") {
            std::fs::remove_file(path)?;
        }
    }
    Ok(0)
}

/// Makes or refreshes the `.gz` copies under `dir`; returns how many were written. A copy is
/// written under a temporary name and renamed, so a request never sees half of one.
pub fn precompress(dir: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    for path in files(dir) {
        let compressible = path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSED.contains(&e));
        if !compressible {
            continue;
        }
        let gz = PathBuf::from(format!("{}.gz", path.display()));
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        if modified(&gz).is_some_and(|copy| modified(&path).is_some_and(|file| copy >= file)) {
            continue;
        }
        let partial = PathBuf::from(format!("{}.gz.part", path.display()));
        let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&partial)?, flate2::Compression::best());
        encoder.write_all(&std::fs::read(&path)?)?;
        encoder.finish()?.sync_all()?;
        std::fs::rename(&partial, &gz)?;
        written += 1;
    }
    Ok(written)
}

/// The hash file cargo-leptos writes beside the server binary when it names the bundle's
/// files after their contents (`hash-files` in Cargo.toml), if there is one. Pages then link
/// `mystoryflow.<hash>.wasm` and friends, which never change and are cached for a year.
pub fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.parent()?.join(&*options.hash_file);
    path.exists().then_some(path)
}

/// The content hash cargo-leptos recorded for the bundle's `kind` of file (css, js, wasm).
fn recorded_hash(options: &LeptosOptions, kind: &str) -> Option<String> {
    (options.hash_files)
        .then(|| hash_file(options))
        .flatten()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|hashes| {
            hashes.lines().find_map(|line| {
                let (found, hash) = line.split_once(':')?;
                (found.trim() == kind).then(|| hash.trim().to_owned())
            })
        })
}

/// The address of the bundle's file of this kind: `/pkg/mystoryflow.<hash>.<kind>`, or without
/// the hash when the build recorded none.
fn bundle_href(options: &LeptosOptions, kind: &str) -> String {
    match recorded_hash(options, kind) {
        Some(hash) => format!("/{}/{}.{hash}.{kind}", options.site_pkg_dir, options.output_name),
        None => format!("/{}/{}.{kind}", options.site_pkg_dir, options.output_name),
    }
}

/// The stylesheet's address, as `HashedStylesheet` writes it (for the pages the router
/// serves without Leptos).
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    bundle_href(options, "css")
}

/// The script that brings a page to life, once per server (the hash file doesn't change while
/// it runs; leptos's `HydrationScripts` read it for every page).
///
/// It starts after the page's first paint, and nothing preloads the bundle. Every page is
/// whole as HTML, so that paint is its largest one. A wasm download begun before it counts
/// toward it in Lighthouse's simulation of a slow phone: 5.7 s instead of 1.0 s for a page
/// that was readable at once. Hydration starts one frame later than with the preload. A tab
/// opened in the background starts at once: its frames wait until it is shown. The script and
/// the wasm are fetched side by side (wasm-bindgen's init takes the pending response).
pub fn hydration_script(options: &LeptosOptions) -> &'static str {
    use std::sync::OnceLock;
    static HASHED: OnceLock<String> = OnceLock::new();
    static PLAIN: OnceLock<String> = OnceLock::new();
    let script = if options.hash_files { &HASHED } else { &PLAIN };
    script.get_or_init(|| loader_script(options))
}

fn loader_script(options: &LeptosOptions) -> String {
    let js = bundle_href(options, "js");
    let mut wasm = bundle_href(options, "wasm");
    // wasm-bindgen's own name, which cargo-leptos keeps unless the build named its output.
    if recorded_hash(options, "wasm").is_none() && option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        wasm = wasm.replace(".wasm", "_bg.wasm");
    }
    format!(
        "const start = () => {{ const wasm = fetch({wasm:?}); \
         import({js:?}).then((app) => app.default({{ module_or_path: wasm }}).then(() => app.hydrate())); }};\n\
         if (document.visibilityState === \"visible\") requestAnimationFrame(() => setTimeout(start)); else start();"
    )
}

/// [`stylesheet_href`] worked out once, for every page: the hash file doesn't change while
/// the server runs (leptos_meta's `HashedStylesheet` read it again for each page).
pub fn page_stylesheet_href(options: &LeptosOptions) -> &'static str {
    use std::sync::OnceLock;
    static HASHED: OnceLock<String> = OnceLock::new();
    static PLAIN: OnceLock<String> = OnceLock::new();
    let href = if options.hash_files { &HASHED } else { &PLAIN };
    href.get_or_init(|| stylesheet_href(options))
}

/// Whether `path` is one of the bundle's content-named files (`/pkg/<name>.<md5 in base64url>.<ext>`,
/// or its `.gz` copy's address, which is the same): those may be cached forever.
pub fn is_content_named(path: &str, options: &LeptosOptions) -> bool {
    let Some(file) = path.strip_prefix(&format!("/{}/", options.site_pkg_dir)) else {
        return false;
    };
    let Some(rest) = file.strip_prefix(&format!("{}.", options.output_name)) else {
        return false;
    };
    match rest.split_once('.') {
        Some((hash, ext)) => {
            hash.len() == 22
                && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && COMPRESSED.contains(&ext)
        }
        None => false,
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(entry.path()),
                Ok(_) => found.push(entry.path()),
                Err(_) => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn only_content_named_bundle_files_are_cached_forever() {
        let options = LeptosOptions::builder().output_name("mystoryflow").build();
        assert!(is_content_named("/pkg/mystoryflow.Xy3_k-9AbCdEfGhIjKlMnO.wasm", &options));
        assert!(is_content_named("/pkg/mystoryflow.Xy3_k-9AbCdEfGhIjKlMnO.css", &options));
        for path in [
            "/pkg/mystoryflow.wasm",
            "/pkg/mystoryflow_bg.wasm",
            "/pkg/mystoryflow.short.js",
            "/pkg/snippets/x-1/inline0.js",
            "/enhance.js",
            "/pkg/mystoryflow.Xy3_k-9AbCdEfGhIjKlMnO.html",
            "/pkg/other.Xy3_k-9AbCdEfGhIjKlMnO.js",
        ] {
            assert!(!is_content_named(path, &options), "{path}");
        }
    }

    #[test]
    fn without_a_hash_file_the_stylesheet_has_its_plain_name() {
        let options = LeptosOptions::builder()
            .output_name("mystoryflow")
            .hash_files(true)
            .hash_file("no-such-hash-file.txt".into())
            .build();
        assert_eq!(stylesheet_href(&options), "/pkg/mystoryflow.css");
    }

    #[test]
    fn pages_load_the_content_named_bundle_after_their_first_paint() {
        let hashes = std::env::temp_dir().join(format!("msf-hash-{}.txt", uuid::Uuid::new_v4()));
        std::fs::write(
            &hashes,
            "js: Jjjjjjjjjjjjjjjjjjjjjj\nwasm: Wwwwwwwwwwwwwwwwwwwwww\ncss: Cccccccccccccccccccccc\n",
        )
        .unwrap();
        let options = LeptosOptions::builder()
            .output_name("mystoryflow")
            .hash_files(true)
            .hash_file(hashes.to_string_lossy().into_owned().into())
            .build();
        let script = loader_script(&options);
        std::fs::remove_file(&hashes).unwrap();
        assert!(script.contains(r#"import("/pkg/mystoryflow.Jjjjjjjjjjjjjjjjjjjjjj.js")"#), "{script}");
        assert!(script.contains(r#"fetch("/pkg/mystoryflow.Wwwwwwwwwwwwwwwwwwwwww.wasm")"#), "{script}");
        assert!(script.contains("requestAnimationFrame(() => setTimeout(start))"), "{script}");
    }

    #[test]
    fn bundle_files_get_a_current_gzip_copy() {
        let dir = std::env::temp_dir().join(format!("msf-assets-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        let wasm = vec![7u8; 100_000];
        std::fs::write(dir.join("pkg/app.wasm"), &wasm).unwrap();
        std::fs::write(dir.join("favicon.svg"), "<svg/>").unwrap();
        assert_eq!(precompress(&dir).unwrap(), 1, "only the bundle's kinds");
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join("pkg/app.wasm.gz")).unwrap())
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, wasm);
        assert_eq!(precompress(&dir).unwrap(), 0, "a current copy is kept");
        // A rebuilt bundle gets a new copy: serving the old one would break hydration.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.join("pkg/app.wasm"), b"rebuilt").unwrap();
        assert_eq!(precompress(&dir).unwrap(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
