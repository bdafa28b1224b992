#!/usr/bin/env bash
# The box-level idle figure: NODES ChatChit processes sharing PostgreSQL, Redis
# and RabbitMQ (a cluster on one machine), each driven by its own generator
# process holding PER_NODE idle sockets (every process is capped at 20,000
# open files here, so one process cannot hold more). Prints the sockets every
# node holds at the same moment (its /metrics gauge) and their RSS.
#   NODES=5 PER_NODE=19900 bench/box-idle.sh
# Needs PG_URL (an existing database to create a scratch one from), REDIS_URL
# and AMQP_URL, defaulting to the local services.
set -euo pipefail
cd "$(dirname "$0")/.."

NODES="${NODES:-5}"
PER_NODE="${PER_NODE:-19900}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}"
BASE_PORT="${BASE_PORT:-18100}"
target="${CARGO_TARGET_DIR:-target}"

cargo build --release --quiet -p chatchit -p chatchit-bench
run="boxidle$(date +%s)"
BIN="$target/release/chatchit"
# shellcheck source=bench/nodes.sh
. bench/nodes.sh
echo "== $NODES nodes up; connecting $PER_NODE sockets to each" >&2

for n in $(seq 1 "$NODES"); do
    port=$((BASE_PORT + n))
    "$target/release/chatchit-bench" --server "http://127.0.0.1:$port" --pid "${pids[$((n - 1))]}" \
        idle --conns "$PER_NODE" --hold 600 >"$out/gen$n.json" 2>"$out/gen$n.err" &
    pids+=($!)
done

# Wait until every generator has all its sockets connected (or gave up).
for n in $(seq 1 "$NODES"); do
    until grep -q "all $PER_NODE attempted" "$out/gen$n.err" 2>/dev/null; do
        if ! kill -0 "${pids[$((NODES + n - 1))]}" 2>/dev/null; then
            echo "generator $n ended early:" >&2
            cat "$out/gen$n.err" >&2
            exit 1
        fi
        sleep 1
    done
done
sleep 3
total=0
rss=0
for n in $(seq 1 "$NODES"); do
    port=$((BASE_PORT + n))
    held=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^chatchit_connected_sockets / {print int($2)}')
    node_rss=$(awk '/VmRSS/ {print $2}' "/proc/${pids[$((n - 1))]}/status")
    errors=$(sed -n 's/.*attempted: [0-9]* connected, \([0-9]*\) errors/\1/p' "$out/gen$n.err")
    echo "node $n: $held sockets, RSS $node_rss KiB, generator connect errors: $errors"
    total=$((total + held))
    rss=$((rss + node_rss))
done
echo "box: $total sockets held at once by $NODES nodes, nodes' RSS $((rss / 1024)) MiB in all"
