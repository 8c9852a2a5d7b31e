//! Transcription of recordings: an engine behind the [`Transcriber`] trait, and the
//! background worker that feeds it from the job queue.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use futures_util::future::BoxFuture;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::config::TranscriberConfig;
use super::db::{jobs, transcriptions, Db};
use super::jobs::Job;
use super::media::Storage;

pub const JOB_KIND: &str = "transcribe";

pub trait Transcriber: Send + Sync {
    /// The text spoken in `audio` (a whole file: webm, ogg, mp3, m4a or wav).
    fn transcribe<'a>(&'a self, audio: Vec<u8>, filename: &'a str, mime: &'a str) -> BoxFuture<'a, Result<String>>;
}

/// Any OpenAI-compatible `POST /v1/audio/transcriptions` (OpenAI, whisper.cpp's server,
/// faster-whisper servers, and our own local worker).
pub struct HttpTranscriber {
    client: reqwest::Client,
    base_url: String,
    api_key: Option<String>,
    model: String,
}

impl HttpTranscriber {
    pub fn new(base_url: &str, api_key: Option<String>, model: &str) -> Self {
        HttpTranscriber {
            client: reqwest::Client::builder().timeout(Duration::from_secs(30 * 60)).build().unwrap_or_default(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            model: model.to_owned(),
        }
    }
}

impl Transcriber for HttpTranscriber {
    fn transcribe<'a>(&'a self, audio: Vec<u8>, filename: &'a str, mime: &'a str) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            let base = self.base_url.trim_end_matches("/v1");
            let part = reqwest::multipart::Part::bytes(audio).file_name(filename.to_owned()).mime_str(mime)?;
            let form = reqwest::multipart::Form::new()
                .part("file", part)
                .text("model", self.model.clone())
                .text("response_format", "json");
            let mut request = self.client.post(format!("{base}/v1/audio/transcriptions")).multipart(form);
            if let Some(key) = &self.api_key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.context("reaching the transcription service")?;
            let status = response.status();
            let body: serde_json::Value = response.json().await.context("reading the transcription")?;
            if !status.is_success() {
                let message = body["error"]["message"].as_str().unwrap_or("no message");
                bail!("the transcription service answered {status}: {message}");
            }
            Ok(body["text"].as_str().context("the transcription had no text")?.trim().to_owned())
        })
    }
}

/// Our own offline worker (transcriber/server.py), started on first use and kept running.
/// It speaks the same HTTP API on a private loopback port.
pub struct LocalWhisper {
    python: PathBuf,
    script: PathBuf,
    started: OnceCell<(tokio::process::Child, HttpTranscriber)>,
}

impl LocalWhisper {
    pub fn new(python: &Path, script: &Path) -> Self {
        LocalWhisper { python: python.to_owned(), script: script.to_owned(), started: OnceCell::new() }
    }

    async fn start(&self) -> Result<(tokio::process::Child, HttpTranscriber)> {
        let mut child = tokio::process::Command::new(&self.python)
            .arg(&self.script)
            // It exits when its stdin closes, so it never outlives the server.
            .args(["--host", "127.0.0.1", "--port", "0", "--exit-with-stdin"])
            .env("HF_HUB_OFFLINE", "1")
            .stdout(std::process::Stdio::piped())
            .stdin(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} {}", self.python.display(), self.script.display()))?;
        let stdout = child.stdout.take().context("the transcriber has no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(Duration::from_secs(180), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(port) = line.trim().strip_prefix("READY port=") {
                    return Ok::<u16, anyhow::Error>(port.parse()?);
                }
            }
            bail!("the transcriber exited before it was ready")
        })
        .await
        .context("the transcriber took over 3 minutes to load its model")??;
        // Keep draining its stdout so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        tracing::info!(port, "local transcriber ready");
        Ok((child, HttpTranscriber::new(&format!("http://127.0.0.1:{port}"), None, "tiny.en")))
    }
}

impl Transcriber for LocalWhisper {
    fn transcribe<'a>(&'a self, audio: Vec<u8>, filename: &'a str, mime: &'a str) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move {
            let (_, http) = self.started.get_or_try_init(|| self.start()).await?;
            http.transcribe(audio, filename, mime).await
        })
    }
}

pub fn from_config(config: &TranscriberConfig) -> Option<Arc<dyn Transcriber>> {
    match config {
        TranscriberConfig::Off => None,
        TranscriberConfig::Http { base_url, api_key, model } => {
            Some(Arc::new(HttpTranscriber::new(base_url, api_key.clone(), model)))
        }
        TranscriberConfig::Local { python, script } => Some(Arc::new(LocalWhisper::new(python, script))),
    }
}

/// Takes transcription jobs off the queue for as long as the server runs.
pub async fn run_worker(db: Db, storage: Storage, engine: Arc<dyn Transcriber>) {
    loop {
        match run_once(&db, &storage, engine.as_ref()).await {
            Ok(true) => continue,
            Ok(false) => tokio::time::sleep(Duration::from_secs(2)).await,
            Err(err) => {
                tracing::error!(error = %err, "transcription worker");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Runs one queued transcription, if there is one; returns whether there was.
pub async fn run_once(db: &Db, storage: &Storage, engine: &dyn Transcriber) -> Result<bool> {
    let Some(job) = jobs::claim(db, &[JOB_KIND.to_owned()]).await? else {
        return Ok(false);
    };
    let story_id: Option<Uuid> = job.payload["story_id"].as_str().and_then(|s| s.parse().ok());
    let Some(story_id) = story_id else {
        jobs::fail(db, &Job { attempts: job.max_attempts, ..job.clone() }, "no story_id in the payload").await?;
        return Ok(true);
    };
    let Some((key, mime)) = transcriptions::start(db, story_id).await? else {
        // The story or its recording was deleted meanwhile: nothing to do.
        jobs::complete(db, job.id).await?;
        return Ok(true);
    };
    let result = async {
        let download = storage.get(&key, None).await?;
        use futures_util::TryStreamExt;
        let chunks: Vec<bytes::Bytes> = download.body.try_collect().await?;
        let audio = chunks.concat();
        let filename = key.rsplit('/').next().unwrap_or("audio").to_owned();
        engine.transcribe(audio, &filename, &mime).await
    }
    .await;
    match result {
        Ok(text) => {
            // Only if the recording was not replaced while it was being transcribed.
            transcriptions::done(db, story_id, &key, &text).await?;
            jobs::complete(db, job.id).await?;
        }
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), %story_id, attempt = job.attempts, "transcription failed");
            let last = job.attempts >= job.max_attempts;
            transcriptions::failed(db, story_id, &key, last).await?;
            jobs::fail(db, &job, &format!("{err:#}")).await?;
        }
    }
    Ok(true)
}
