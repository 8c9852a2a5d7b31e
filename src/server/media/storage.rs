//! Where media files live: a local folder by default, any S3-compatible service when
//! configured. Everything goes through `object_store`, so the rest of the app never knows.
use std::ops::Range;
use std::path::Path as FsPath;
use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::{path::Path, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

/// S3 settings (MSF_S3_*); any key works with a local test server such as moto.
#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

/// An object's bytes (or the requested part of them) as a stream.
pub struct Download {
    pub size: u64,
    pub range: Range<u64>,
    pub body: BoxStream<'static, object_store::Result<Bytes>>,
}

const PART_SIZE: usize = 8 * 1024 * 1024;

impl Storage {
    pub fn local(root: &FsPath) -> anyhow::Result<Self> {
        std::fs::create_dir_all(root).with_context(|| format!("creating the media folder {}", root.display()))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(root)
            .with_context(|| format!("opening the media folder {}", root.display()))?;
        Ok(Storage { store: Arc::new(store) })
    }

    pub fn s3(config: &S3Config) -> anyhow::Result<Self> {
        let mut builder =
            object_store::aws::AmazonS3Builder::from_env().with_bucket_name(&config.bucket).with_region(&config.region);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let (Some(key), Some(secret)) = (&config.access_key_id, &config.secret_access_key) {
            builder = builder.with_access_key_id(key).with_secret_access_key(secret);
        }
        Ok(Storage { store: Arc::new(builder.build().context("configuring S3 storage")?) })
    }

    pub fn in_memory() -> Self {
        Storage { store: Arc::new(object_store::memory::InMemory::new()) }
    }

    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.store.put(&Path::from(key), PutPayload::from(bytes)).await.with_context(|| format!("storing {key}"))?;
        Ok(())
    }

    /// Copies a local file into storage in parts, so memory stays flat whatever its size.
    pub async fn put_file(&self, key: &str, file: &FsPath) -> anyhow::Result<()> {
        let location = Path::from(key);
        let upload = self.store.put_multipart(&location).await.with_context(|| format!("starting to store {key}"))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut source = tokio::fs::File::open(file).await?;
        let mut buf = vec![0u8; 1024 * 1024];
        let copied = async {
            loop {
                let n = source.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                writer.wait_for_capacity(2).await?;
                writer.write(&buf[..n]);
            }
            anyhow::Ok(())
        }
        .await;
        match copied {
            Ok(()) => {
                writer.finish().await.with_context(|| format!("storing {key}"))?;
                Ok(())
            }
            Err(err) => {
                let _ = writer.abort().await;
                Err(err.context(format!("storing {key}")))
            }
        }
    }

    /// The object, or the byte range asked for (inclusive end, as HTTP ranges are).
    pub async fn get(&self, key: &str, range: Option<(u64, u64)>) -> object_store::Result<Download> {
        let options =
            GetOptions { range: range.map(|(start, end)| GetRange::Bounded(start..end + 1)), ..Default::default() };
        let result = self.store.get_opts(&Path::from(key), options).await?;
        Ok(Download { size: result.meta.size, range: result.range.clone(), body: result.into_stream() })
    }

    /// Copies an object within the store (S3 copies it server-side).
    pub async fn copy(&self, from: &str, to: &str) -> anyhow::Result<()> {
        self.store.copy(&Path::from(from), &Path::from(to)).await.with_context(|| format!("copying {from} to {to}"))?;
        Ok(())
    }

    /// The whole object in memory (for small ones: a photo's display copy, a page).
    pub async fn read_all(&self, key: &str) -> object_store::Result<Vec<u8>> {
        Ok(self.store.get(&Path::from(key)).await?.bytes().await?.to_vec())
    }

    pub async fn size(&self, key: &str) -> object_store::Result<u64> {
        Ok(self.store.head(&Path::from(key)).await?.size)
    }

    /// Removes objects; a missing one is not an error (the goal is that it is gone).
    pub async fn delete(&self, keys: &[String]) {
        for key in keys {
            match self.store.delete(&Path::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(err) => tracing::warn!(error = %err, key, "could not delete a media file"),
            }
        }
    }

    /// Every object under a prefix (a campaign's folder when the campaign is deleted).
    pub async fn delete_prefix(&self, prefix: &str) {
        let prefix = Path::from(prefix);
        let keys: Vec<String> = self
            .store
            .list(Some(&prefix))
            .filter_map(|meta| async move { meta.ok().map(|m| m.location.to_string()) })
            .collect()
            .await;
        self.delete(&keys).await;
    }

    /// Whether anything is stored under a prefix (a removal that must be complete).
    pub async fn any_under(&self, prefix: &str) -> anyhow::Result<bool> {
        let prefix = Path::from(prefix);
        match self.store.list(Some(&prefix)).next().await {
            None => Ok(false),
            Some(Ok(_)) => Ok(true),
            Some(Err(err)) => Err(anyhow::Error::new(err).context("listing media files")),
        }
    }

    /// Every object's key and size, sorted by key (a backup of the whole store).
    pub async fn list(&self) -> anyhow::Result<Vec<(String, u64)>> {
        let mut all = Vec::new();
        let mut listing = self.store.list(None);
        while let Some(meta) = listing.next().await {
            let meta = meta.context("listing the media files")?;
            all.push((meta.location.to_string(), meta.size));
        }
        all.sort();
        Ok(all)
    }

    pub async fn exists(&self, key: &str) -> bool {
        self.store.head(&Path::from(key)).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_round_trip_in_parts_and_by_range() {
        let dir = std::env::temp_dir().join(format!("msf-storage-{}", uuid::Uuid::new_v4()));
        let storage = Storage::local(&dir).unwrap();
        let source = dir.join("source.bin");
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&source, &data).unwrap();
        storage.put_file("a/b/file", &source).await.unwrap();
        assert_eq!(storage.size("a/b/file").await.unwrap(), data.len() as u64);
        let part = storage.get("a/b/file", Some((10, 19))).await.unwrap();
        let bytes: Vec<u8> = part.body.map(|b| b.unwrap().to_vec()).concat().await;
        assert_eq!(bytes, data[10..20]);
        storage.delete_prefix("a").await;
        assert!(!storage.exists("a/b/file").await);
        std::fs::remove_dir_all(dir).ok();
    }
}
