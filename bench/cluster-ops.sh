#!/usr/bin/env bash
# The per-message cost a cluster puts on its shared services, for the
# capacity model in docs/scaling.md: NODES ChatChit processes on one
# PostgreSQL, Redis and RabbitMQ; a chat scenario against node 1 (every
# socket there, so a delivery needs no other node); prints the event
# partitions each node owns, the Redis commands per acked message (by
# command, from INFO commandstats before and after) and the bus
# publications.
#   NODES=4 RATE=500 DURATION=10 bench/cluster-ops.sh
# BIN names the server binary (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."

NODES="${NODES:-4}"
RATE="${RATE:-500}"
DURATION="${DURATION:-10}"
USERS="${USERS:-200}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}"
BASE_PORT="${BASE_PORT:-18200}"
target="${CARGO_TARGET_DIR:-target}"
BIN="${BIN:-$target/release/chatchit}"

cargo build --release --quiet -p chatchit-bench
[ "$BIN" != "$target/release/chatchit" ] || cargo build --release --quiet -p chatchit
run="clusterops$(date +%s)"
NODE_ENV="CHATCHIT_RATE_LIMITS__MESSAGE_SEND__PER_MINUTE=0"
# shellcheck source=bench/nodes.sh
. bench/nodes.sh
# Let every node hear of the others and take up its partitions.
sleep 8
for n in $(seq 1 "$NODES"); do
    owned=$(curl -s "http://127.0.0.1:$((BASE_PORT + n))/metrics" | awk '/^chatchit_queue_partitions_owned / {print int($2)}')
    echo "node $n owns $owned event partitions"
done

commandstats() {
    redis-cli -u "$REDIS_URL" info commandstats | tr -d '\r' |
        sed -n 's/^cmdstat_\([a-z|]*\):calls=\([0-9]*\),.*/\1 \2/p' | sort
}
commandstats >"$out/before"
"$target/release/chatchit-bench" --server "http://127.0.0.1:$((BASE_PORT + 1))" --pid "${pids[0]}" \
    chat --users "$USERS" --group-size 5 --rate "$RATE" --duration "$DURATION" >"$out/chat.json" 2>/dev/null
commandstats >"$out/after"
python3 - "$out" <<'EOF'
import json, sys
out = sys.argv[1]
chat = json.load(open(f"{out}/chat.json"))
def read(name):
    return dict((k, int(v)) for k, v in (line.split() for line in open(f"{out}/{name}")))
before, after = read("before"), read("after")
messages = chat["acked"]
print(f"acked messages: {messages}, ack p99 {chat['ack_ms']['p99']} ms")
total = 0
for command in sorted(after):
    calls = after[command] - before.get(command, 0)
    if calls:
        total += calls
        print(f"  redis {command}: {calls} calls, {calls / messages:.2f} per message")
print(f"redis commands per message (the whole box, every node): {total / messages:.2f}")
EOF
