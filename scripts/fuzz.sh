#!/usr/bin/env bash
# Runs every fuzz target for a while, on the stable toolchain: the decoders'
# property tests (packets, text checks, tokens) and the end-to-end targets
# (every event's payload, every REST body, query string and token, through a
# real server on the embedded default). Each round draws fresh random cases;
# the script stops at the first failure (proptest prints the failing input and
# keeps its seed in proptest-regressions/) or when the time is up, and
# prints how many cases ran.
#
#   scripts/fuzz.sh [MINUTES per target, default 5] [CASES per round, default 2000]
#   FUZZ_PROFILE=dev scripts/fuzz.sh 2    (reuse the debug build; default release)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-5}"
cases="${2:-2000}"
profile="${FUZZ_PROFILE:-release}"

# target = "crate test-filter"
targets=(
    "chatchit-http gateway::packet::tests"
    "chatchit-http text_guard::tests"
    "chatchit-crypto jwt::tests::arbitrary_tokens_are_refused"
    "chatchit-tests fuzz::fuzz_every_events_payload"
    "chatchit-tests fuzz::fuzz_every_rest_body_query_and_token"
)

cargo build --profile "$profile" --tests -p chatchit-http -p chatchit-crypto -p chatchit-tests --quiet
total=0
for target in "${targets[@]}"; do
    read -r crate filter <<<"$target"
    deadline=$(( $(date +%s) + minutes * 60 ))
    rounds=0
    while (( $(date +%s) < deadline )); do
        # The e2e targets are slower per case: they get a tenth of the cases.
        n="$cases"
        [[ "$crate" == chatchit-tests ]] && n=$(( cases / 10 ))
        if ! PROPTEST_CASES="$n" CHATCHIT_FUZZ_CASES="$n" \
            cargo test --profile "$profile" --quiet -p "$crate" "$filter" >/tmp/chatchit-fuzz.log 2>&1; then
            cat /tmp/chatchit-fuzz.log
            echo "FAILED: $target after $rounds rounds"
            exit 1
        fi
        rounds=$(( rounds + 1 ))
        total=$(( total + n ))
    done
    echo "$target: $rounds rounds of $n cases, no failure"
done
echo "fuzzing done: about $total cases per property, 0 failures"
