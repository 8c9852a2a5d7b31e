//! The MyStoryFlow server: see `server::cli` for its commands.

// mimalloc gives memory back to the OS; with glibc's allocator each password check's
// 19 MiB (argon2) stayed with the process after a burst of logins.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    mystoryflow::server::cli::main().await
}
