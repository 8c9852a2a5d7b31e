//! The MyStoryFlow server: see `server::cli` for its commands.

// mimalloc returns freed memory to the OS more readily than glibc's allocator. It does not
// by itself bound a login burst (argon2: 19 MiB per check; scripts/bench.sh measured
// 378 MiB two seconds after 16 simultaneous logins): that needs a limit on concurrent checks.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    mystoryflow::server::cli::main().await
}
