//! The MyStoryFlow server: see `server::cli` for its commands.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    mystoryflow::server::cli::main().await
}
