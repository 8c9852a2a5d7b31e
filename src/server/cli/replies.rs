//! `mail receive`: one emailed reply handed over by the mail server.
use super::*;

/// EX_TEMPFAIL: the mail server keeps the message and hands it over again later.
const EX_TEMPFAIL: u8 = 75;

/// `mail receive`: one message on standard input becomes an answer (server::replies). The
/// database is DATABASE_URL, else the private PostgreSQL of MSF_DATA_DIR (running).
pub(super) async fn mail_receive(config: Config) -> ExitCode {
    let limit = crate::server::replies::MAX_MESSAGE_BYTES as u64 + 1;
    let read = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut raw = Vec::new();
        std::io::stdin().take(limit).read_to_end(&mut raw).map(|_| raw)
    })
    .await;
    let raw = match read {
        Ok(Ok(raw)) => raw,
        Ok(Err(err)) => {
            eprintln!("mystoryflow: reading the message: {err}");
            return ExitCode::from(EX_TEMPFAIL);
        }
        Err(err) => {
            eprintln!("mystoryflow: reading the message: {err}");
            return ExitCode::from(EX_TEMPFAIL);
        }
    };
    let state = match receiving_state(&config).await {
        Ok(state) => state,
        Err(err) => {
            eprintln!("mystoryflow: {err:#} (the mail server will try again)");
            return ExitCode::from(EX_TEMPFAIL);
        }
    };
    match crate::server::replies::receive(&state, &raw).await {
        Ok(outcome) => {
            println!("{}", outcome.as_str());
            ExitCode::from(outcome.exit_code())
        }
        Err(err) => {
            eprintln!("mystoryflow: {err} (the mail server will try again)");
            ExitCode::from(EX_TEMPFAIL)
        }
    }
}

/// What receiving one message needs of the server: its database, storage and key.
pub(super) async fn receiving_state(config: &Config) -> Result<AppState> {
    let url = match &config.database_url {
        Some(url) => url.clone(),
        None => LocalPostgres::new(&config.data_dir, Durability::from_env())?.admin_url("mystoryflow"),
    };
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect(&url)
        .await
        .context("connecting to the database")?;
    let db = Db::new(pool);
    let storage = match &config.s3 {
        Some(s3) => Storage::s3(s3)?,
        None => Storage::local(&config.data_dir.join("media"))?,
    };
    Ok(AppState {
        leptos_options: LeptosOptions::builder().output_name("mystoryflow").build(),
        signer: Signer::load(config.secret_key.as_deref(), &db, &config.data_dir).await?,
        db,
        storage,
        staging_dir: config.data_dir.join("uploads"),
        transcription_enabled: !matches!(config.transcriber, crate::server::config::TranscriberConfig::Off),
        email_sends: config.smtp_url.is_some(),
        public_url: config.public_url.clone(),
        client_ip_header: None,
        quota: crate::server::limits::Quota::from_env(),
        printer: crate::server::orders::Printer::manual(Default::default()),
        inbound_secret: None,
        replies_by_email: config.reply_address.is_some(),
    })
}
