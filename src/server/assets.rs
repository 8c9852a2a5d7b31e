//! The browser bundle, gzipped once: the wasm is megabytes, and a storyteller on a phone with
//! a poor connection should download a third of it. Compressing it on every request would cost
//! seconds of CPU (the compression layer skips it), so at start-up every bundle file gets a
//! `.gz` copy beside it, made again whenever the file is newer than its copy; `ServeDir` then
//! serves the copy to browsers that accept gzip.
use std::io::Write;
use std::path::{Path, PathBuf};

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
