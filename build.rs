// `sqlx::migrate!()` embeds migrations/ at compile time; without this a new migration file
// would not rebuild the crate (the build script's only input is that folder).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
