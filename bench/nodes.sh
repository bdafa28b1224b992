# Sourced by the cluster benches: starts NODES ChatChit processes ($BIN) on
# a scratch PostgreSQL database, Redis and RabbitMQ under the namespace
# $run, on ports BASE_PORT+1…; pids go to `pids`, logs to $out; all of it
# is removed on exit. Extra server settings come from $NODE_ENV
# (space-separated NAME=value words).
database="${PG_URL%/*}/$run"
psql "$PG_URL" -qc "create database $run"
out="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql "$PG_URL" -qc "drop database if exists $run" || true
    redis-cli -u "$REDIS_URL" --scan --pattern "$run:*" | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null || true
    rm -rf "$out"
}
trap cleanup EXIT

for n in $(seq 1 "$NODES"); do
    port=$((BASE_PORT + n))
    mkdir -p "$out/node$n"
    # shellcheck disable=SC2086
    env CHATCHIT_BIND="127.0.0.1:$port" CHATCHIT_DATA_DIR="$out/node$n" CHATCHIT_DATABASE_URL="$database" \
        CHATCHIT_REDIS_URL="$REDIS_URL" CHATCHIT_AMQP_URL="$AMQP_URL" CHATCHIT_NAMESPACE="$run" \
        CHATCHIT_QUEUE_IDLE_EXPIRY_MS=60000 CHATCHIT_BCRYPT_COST=4 CHATCHIT_LOG=warn \
        CHATCHIT_RATE_LIMITS__AUTH__PER_MINUTE=0 CHATCHIT_MAX_SESSIONS_PER_IP=0 ${NODE_ENV:-} \
        "$BIN" serve >"$out/node$n.log" 2>&1 &
    pids+=($!)
    tries=0
    until curl -s -o /dev/null "http://127.0.0.1:$port/health/live"; do
        tries=$((tries + 1))
        if [ "$tries" -gt 600 ] || ! kill -0 "${pids[$((n - 1))]}" 2>/dev/null; then
            echo "node $n did not start:" >&2
            cat "$out/node$n.log" >&2
            exit 1
        fi
        sleep 0.05
    done
done
