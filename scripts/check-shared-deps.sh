#!/usr/bin/env bash
# Fails when the tests would compile a dependency with other features than the app does.
# `cargo test` turns on its dev-dependencies' features in shared crates; if the app build
# lacks one of them, every crate above it (axum, typst, Leptos, sqlx) is compiled twice.
# The fix is to turn that feature on for the app as well (Cargo.toml, beside hyper's "full").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
tree() { cargo tree --target "$host" --prefix none -f '{p}|{f}' "$@" | sed 's/ (\*)$//' | sort -u; }
app=$(tree -e normal,build --features ssr)
tests=$(tree --workspace -e normal,build,dev --features mystoryflow/ssr)
# Every crate of the app's build is in the tests' build too; one listed differently there has
# other features.
differ=$(comm -23 <(printf '%s\n' "$app") <(printf '%s\n' "$tests"))
if [ -n "$differ" ]; then
  echo "error: the tests build these with other features than the app does:" >&2
  printf '%s\n' "$differ" | while IFS='|' read -r pkg features; do
    printf '  %s\n    app:   %s\n    tests: %s\n' "$pkg" "$features" \
      "$(printf '%s\n' "$tests" | awk -F '|' -v p="$pkg" '$1 == p { print ($2 == "" ? "(none)" : $2) }' | paste -sd ' ')" >&2
  done
  exit 1
fi
echo "the tests share the app's dependency build"
