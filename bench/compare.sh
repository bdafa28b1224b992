#!/usr/bin/env bash
# Runs the same scenarios against ChatChit (release build, embedded SQLite:
# every ack is a durable commit) and the reference Node.js Socket.IO peer
# (bench/peer, in memory), each on a fresh process per scenario, and prints
# every figure for both with the ratio. Sizes, servers and scenarios can be
# changed through the environment, e.g.
#   IDLE_CONNS=5000 CHAT_RATE=2000 bench/compare.sh
#   SERVERS=chatchit SCENARIOS=chat bench/compare.sh   (one figure, no ratio)
#   POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/compare.sh
#     (ChatChit on a fresh PostgreSQL database per run instead of SQLite)
# The saturate scenario steps the offered chat rate (SATURATE_RATES, each on
# a fresh server for SATURATE_DURATION s) in groups of each size in
# SATURATE_GROUPS, and reports the highest rate whose sends were all acked
# with ack p99 <= 50 ms (it stops at the first rate that is not).
set -euo pipefail
cd "$(dirname "$0")/.."

IDLE_CONNS="${IDLE_CONNS:-10000}"
CHAT_USERS="${CHAT_USERS:-1000}"
CHAT_GROUP="${CHAT_GROUP:-5}"
CHAT_RATE="${CHAT_RATE:-4000}"
FANOUT_MEMBERS="${FANOUT_MEMBERS:-1000}"
FANOUT_RATE="${FANOUT_RATE:-200}"
DURATION="${DURATION:-20}"
CHATCHIT_PORT="${CHATCHIT_PORT:-18080}"
PEER_PORT="${PEER_PORT:-18090}"
SERVERS="${SERVERS:-chatchit peer}"
SCENARIOS="${SCENARIOS:-idle chat fanout saturate}"
SATURATE_RATES="${SATURATE_RATES:-3000 6000 9000 12000 16000 20000 24000 28000 32000}"
SATURATE_GROUPS="${SATURATE_GROUPS:-5 2}"
SATURATE_DURATION="${SATURATE_DURATION:-10}"
target="${CARGO_TARGET_DIR:-target}"
POSTGRES_URL="${POSTGRES_URL:-}"

out="$(mktemp -d)"
server_pid=""
scratch_db=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
    if [ -n "$scratch_db" ]; then
        psql "$POSTGRES_URL" -qc "drop database if exists $scratch_db" || true
        scratch_db=""
    fi
}
trap 'stop_server; rm -rf "$out"' EXIT

echo "== building (release)" >&2
cargo build --release --quiet -p chatchit -p chatchit-bench
(cd bench/peer && npm ci --silent --no-audit --no-fund)

now_ms() { date +%s%3N; }

# Starts a server ($1 = chatchit | peer); sets server_pid, base and
# writes the exec-to-listening milliseconds to $out/$1-startup.
start_server() {
    local started
    started="$(now_ms)"
    if [ "$1" = chatchit ]; then
        local data database_url=""
        data="$(mktemp -d -p "$out")"
        if [ -n "$POSTGRES_URL" ]; then
            scratch_db="chatchit_bench_$(date +%s%N)"
            psql "$POSTGRES_URL" -qc "create database $scratch_db"
            database_url="${POSTGRES_URL%/*}/$scratch_db"
        fi
        env ${database_url:+CHATCHIT_DATABASE_URL="$database_url"} CHATCHIT_BIND="127.0.0.1:$CHATCHIT_PORT" CHATCHIT_DATA_DIR="$data" CHATCHIT_LOG=warn \
        CHATCHIT_BCRYPT_COST=4 CHATCHIT_JWT_SECRET=bench-secret-bench-secret \
        CHATCHIT_RATE_LIMITS__AUTH__PER_MINUTE=0 CHATCHIT_MAX_SESSIONS_PER_IP=0 CHATCHIT_RATE_LIMITS__MESSAGE_SEND__PER_MINUTE=0 \
            "$target/release/chatchit" serve >"$out/chatchit.log" 2>&1 &
        base="http://127.0.0.1:$CHATCHIT_PORT"
    else
        PORT="$PEER_PORT" node bench/peer/server.mjs >"$out/peer.log" 2>&1 &
        base="http://127.0.0.1:$PEER_PORT"
    fi
    server_pid=$!
    local tries=0
    until curl -s -o /dev/null "$base/socket.io/?EIO=4&transport=polling"; do
        tries=$((tries + 1))
        if [ "$tries" -gt 6000 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "$1 did not start; its log:" >&2
            cat "$out/$1.log" >&2
            exit 1
        fi
        sleep 0.005
    done
    echo $(( $(now_ms) - started )) >"$out/$1-startup"
}

bench() { "$target/release/chatchit-bench" --server "$base" --pid "$server_pid" "$@"; }

scenario_args() {
    case "$1" in
        idle) echo "idle --conns $IDLE_CONNS" ;;
        chat) echo "chat --users $CHAT_USERS --group-size $CHAT_GROUP --rate $CHAT_RATE --duration $DURATION" ;;
        fanout) echo "fanout --members $FANOUT_MEMBERS --rate $FANOUT_RATE --duration $DURATION" ;;
    esac
}

# Steps the chat rate for server $1 in groups of each SATURATE_GROUPS size;
# writes {"<size>": highest rate held, …} to $out/$1-saturate.json.
saturate() {
    local size rate held result
    echo "{" >"$out/$1-saturate.json"
    for size in $SATURATE_GROUPS; do
        held=0
        for rate in $SATURATE_RATES; do
            echo "== $1: saturate, groups of $size at $rate msg/s" >&2
            start_server "$1"
            result="$(bench chat --users "$CHAT_USERS" --group-size "$size" --rate "$rate" --duration "$SATURATE_DURATION")"
            stop_server
            if echo "$result" | python3 -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["unanswered"] == 0 and d["ack_ms"]["p99"] <= 50 else 1)'; then
                held="$rate"
            else
                break
            fi
        done
        echo "  \"$size\": $held," >>"$out/$1-saturate.json"
    done
    echo '  "done": true }' >>"$out/$1-saturate.json"
}

for server in $SERVERS; do
    for scenario in $SCENARIOS; do
        if [ "$scenario" = saturate ]; then
            saturate "$server"
            continue
        fi
        echo "== $server: $(scenario_args "$scenario")" >&2
        start_server "$server"
        # shellcheck disable=SC2046 # the arguments are meant to split
        bench $(scenario_args "$scenario") >"$out/$server-$scenario.json"
        stop_server
    done
done

SATURATE_GROUPS="$SATURATE_GROUPS" python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
def load(server, scenario):
    with open(os.path.join(out, f"{server}-{scenario}.json")) as f:
        return json.load(f)
def startup(server):
    with open(os.path.join(out, f"{server}-startup")) as f:
        return float(f.read())
rows = [
    ("exec to listening, ms (lower is better)", lambda s: startup(s), False),
    ("idle: server KiB per socket (lower)", lambda s: load(s, "idle")["server_kib_per_socket"], False),
    ("idle: sockets held", lambda s: load(s, "idle")["sockets"], True),
    ("idle: connect errors", lambda s: load(s, "idle")["connect_errors"], None),
    ("chat: acked msg/s", lambda s: load(s, "chat")["acked_per_second"], True),
    ("chat: deliveries/s", lambda s: load(s, "chat")["deliveries_per_second"], True),
    ("chat: send→ack p50 ms (lower)", lambda s: load(s, "chat")["ack_ms"]["p50"], False),
    ("chat: send→ack p99 ms (lower)", lambda s: load(s, "chat")["ack_ms"]["p99"], False),
    ("chat: send→receive p99 ms (lower)", lambda s: load(s, "chat")["receive_ms"]["p99"], False),
    ("chat: server CPU µs per delivery (lower)", lambda s: load(s, "chat")["server_cpu_us_per_delivery"], False),
    ("chat: user-space CPU µs per delivery (lower)", lambda s: load(s, "chat")["server_user_cpu_us_per_delivery"], False),
    ("chat: kernel CPU µs per delivery (lower)", lambda s: load(s, "chat")["server_system_cpu_us_per_delivery"], False),
    ("chat: unanswered sends", lambda s: load(s, "chat")["unanswered"], None),
    ("fanout: deliveries/s", lambda s: load(s, "fanout")["deliveries_per_second"], True),
    ("fanout: send→receive p99 ms (lower)", lambda s: load(s, "fanout")["receive_ms"]["p99"], False),
] + [
    (f"saturate: highest msg/s with ack p99 ≤ 50 ms, groups of {size}",
     lambda s, size=size: load(s, "saturate")[size], True)
    for size in os.environ.get("SATURATE_GROUPS", "5 2").split()
]
def get_or_none(get, server):
    try:
        return get(server)
    except (KeyError, TypeError, FileNotFoundError):
        return None
print(f"| figure | ChatChit | Node peer | ChatChit advantage |")
print(f"|---|---|---|---|")
for name, get, higher_better in rows:
    c, p = get_or_none(get, "chatchit"), get_or_none(get, "peer")
    if c is None and p is None:
        continue
    if c is None or p is None:
        fmt = lambda v: "—" if v is None else (f"{v:,.1f}" if isinstance(v, float) else f"{v:,}")
        print(f"| {name} | {fmt(c)} | {fmt(p)} |  |")
        continue
    if higher_better is None:
        ratio = ""
    elif higher_better:
        ratio = f"{c / p:.2f}×" if p else ""
    else:
        ratio = f"{p / c:.2f}×" if c else ""
    fmt = lambda v: f"{v:,.1f}" if isinstance(v, float) else f"{v:,}"
    print(f"| {name} | {fmt(c)} | {fmt(p)} | {ratio} |")
PY
