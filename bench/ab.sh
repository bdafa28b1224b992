#!/usr/bin/env bash
# A/B of two ChatChit builds in one sitting: the same chatchit-bench scenario
# against binary A and binary B, alternating, ROUNDS rounds, each run on a
# fresh server started as compare.sh starts it (embedded SQLite, bcrypt cost 4,
# rate limits off). On a shared, noisy machine this is how a change is judged.
#
#   bench/ab.sh /tmp/old/target/release/chatchit target/release/chatchit \
#       chat --users 1000 --group-size 5 --rate 4000 --duration 10
#
# Prints one line per run: acked sends/s, CPU µs per delivery (and its user and
# kernel parts), send→ack p50/p99 ms,
# send→receive p99 ms, KiB per idle socket (what the scenario measures).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { sed -n 2,11p "$0"; exit 2; }
a="$1" b="$2"
shift 2
ROUNDS="${ROUNDS:-2}"
PORT="${PORT:-7401}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet -p chatchit-bench

run() { # $1 = the binary; the rest = the scenario
    local bin="$1" data pid
    shift
    data="$(mktemp -d)"
    env CHATCHIT_BIND="127.0.0.1:$PORT" CHATCHIT_DATA_DIR="$data" CHATCHIT_LOG=warn \
        CHATCHIT_BCRYPT_COST=4 CHATCHIT_JWT_SECRET=bench-secret-bench-secret \
        CHATCHIT_RATE_LIMITS__AUTH__PER_MINUTE=0 CHATCHIT_MAX_SESSIONS_PER_IP=0 CHATCHIT_RATE_LIMITS__MESSAGE_SEND__PER_MINUTE=0 \
        "$bin" serve >"$data/log" 2>&1 &
    pid=$!
    until curl -s -o /dev/null "http://127.0.0.1:$PORT/health/live"; do
        kill -0 "$pid" 2>/dev/null || { cat "$data/log" >&2; exit 1; }
        sleep 0.01
    done
    "$target/release/chatchit-bench" --server "http://127.0.0.1:$PORT" --pid "$pid" "$@" 2>/dev/null
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    rm -rf "$data"
}

summary='import json, sys
d = json.load(sys.stdin)
a, r = d.get("ack_ms") or {}, d.get("receive_ms") or {}
cpu = d.get("server_cpu_us_per_delivery")
user, system = d.get("server_user_cpu_us_per_delivery"), d.get("server_system_cpu_us_per_delivery")
acked = d.get("acked_per_second")
print("acked_per_s", None if acked is None else round(acked),
      "cpu_us_per_delivery", None if cpu is None else round(cpu, 1),
      "user_sys", None if user is None else round(user, 1), None if system is None else round(system, 1),
      "ack_p50_p99_ms", a.get("p50"), a.get("p99"),
      "receive_p99_ms", r.get("p99"),
      "kib_per_idle_socket", d.get("server_kib_per_socket"))'

for round in $(seq "$ROUNDS"); do
    for side in A B; do
        bin="$a"
        [ "$side" = B ] && bin="$b"
        echo "round $round $side: $(run "$bin" "$@" | python3 -c "$summary")"
    done
done
