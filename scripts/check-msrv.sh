#!/usr/bin/env bash
# Fails when a dependency built for Linux declares a rust-version above the
# workspace's (`[workspace.package] rust-version`), so the MSRV we declare
# stays true as Cargo.lock moves. (Our own code needs at least 1.89:
# let-chains and `File::lock`.)
set -euo pipefail
cd "$(dirname "$0")/.."
declared="$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)"
cargo metadata --format-version 1 --locked --filter-platform x86_64-unknown-linux-gnu |
    python3 -c '
import json, sys
declared = tuple(int(x) for x in sys.argv[1].split("."))
meta = json.load(sys.stdin)
used = {node["id"] for node in meta["resolve"]["nodes"]}
above = sorted(
    (p["rust_version"], p["name"], p["version"])
    for p in meta["packages"]
    if p["id"] in used and p["source"] and p.get("rust_version")
    and tuple(int(x) for x in p["rust_version"].split(".")[:2]) > declared[:2]
)
for rust, name, version in above:
    print(f"{name} {version} needs Rust {rust}")
if above:
    sys.exit(f"rust-version {sys.argv[1]} is not true: raise it")
print(f"rust-version {sys.argv[1]} covers every dependency")
' "$declared"
