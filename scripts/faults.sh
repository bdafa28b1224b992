#!/usr/bin/env bash
# The fault suite (bootstrap/tests/faults.rs): a group of 6 chats through one
# fault at a time (kill -9 of the embedded node, kill -9 of one node of two,
# PostgreSQL, RabbitMQ and Redis away for 3 s, the embedded disk full for 3 s;
# mounting its tmpfs needs root) and a ledger checks every
# acknowledged message and every delivery. Prints the table of
# docs/reliability.md. Needs the services (PostgreSQL, Redis, RabbitMQ) on
# their usual local ports, as .ci/run does:
#   scripts/faults.sh            # the whole suite, once
#   ROUNDS=5 scripts/faults.sh   # five times, one table row per fault and round
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-1}"
export CHATCHIT_TEST_E2E_POSTGRES_URL="${CHATCHIT_TEST_E2E_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
export CHATCHIT_TEST_E2E_REDIS_URL="${CHATCHIT_TEST_E2E_REDIS_URL:-redis://127.0.0.1:6379}"
export CHATCHIT_TEST_E2E_AMQP_URL="${CHATCHIT_TEST_E2E_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672}"
export CI="${CI:-true}"
rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT
for _ in $(seq "$ROUNDS"); do
    cargo nextest run -p chatchit --test faults --no-fail-fast --no-capture --test-threads 1 2>&1 |
        sed -n 's/.*FAULT-FIGURES //p' >>"$rows"
done
python3 - "$rows" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
cols = ["acked", "refused", "unanswered", "lost", "duplicated", "reordered", "missing", "repeated"]
print("| fault | " + " | ".join(cols) + " |")
print("|---|" + "---|" * len(cols))
for r in rows:
    print(f"| {r['fault']} | " + " | ".join(str(r[c]) for c in cols) + " |")
PY
