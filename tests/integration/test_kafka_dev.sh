#!/usr/bin/env bash
# test_kafka_dev.sh - integration test of ops/kafka-dev (the mock-cluster Kafka peer) driven by Debian's kcat.
#
#   tests/kafka-dev/test_kafka_dev.sh
#
# The binary under test is $KAFKA_DEV_BIN; when unset it is built into a temporary folder with the project's
# warning flags (plus $KAFKA_DEV_EXTRA_CFLAGS, e.g. "-fsanitize=address,undefined -fno-sanitize-recover=all").
# Prints "ok   - ..." / "FAIL - ..." per check and "N passed, M failed"; exits non-zero on any failure.
# Every wait polls with a deadline. Volumes stay far below the mock's ~5 MiB per-partition retention.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CTL=$ROOT/ops/kafka-dev/kafka-dev-ctl
KCAT_TIMEOUT=60
GROUP_OPTS=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=500 -X auto.offset.reset=earliest)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL - $1"
    shift
    local l
    for l in "$@"; do printf '       %s\n' "$l"; done
}
# check NAME EXPECTED ACTUAL
check() {
    if [[ $3 == "$2" ]]; then pass "$1"; else fail "$1" "expected: $2" "got:      $3"; fi
}
finish() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
    exit $?
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kafka-dev-test.XXXXXX")
DIR=$WORK/peer
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    "$CTL" stop "$DIR" >/dev/null 2>&1 || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT

# alive PID: the process exists and is not a zombie (an exited child of an init that does not reap).
alive() {
    local state
    state=$(sed -n 's/^.*) \([A-Za-z]\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null)
    [[ -n $state && $state != Z && $state != X ]]
}

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds (0) or SECONDS pass (1).
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# kc ARGS...: kcat with a deadline.
kc() { timeout "$KCAT_TIMEOUT" kcat "$@"; }

# metadata_ok BOOTSTRAP: one broker answers a metadata request.
metadata_ok() { kc -L -b "$1" -m 3 >/dev/null 2>&1; }
# shellcheck disable=SC2317 # called through wait_for
metadata_fails() { ! metadata_ok "$1"; }

# --- the binary ---------------------------------------------------------------------------------
command -v kcat >/dev/null || {
    fail "kcat is installed" "hint: apt-get install -y kcat"
    finish
}
if [[ -z ${KAFKA_DEV_BIN:-} ]]; then
    KAFKA_DEV_BIN=$WORK/bin/og-kafka-dev
    mkdir -p "$WORK/bin"
    # shellcheck disable=SC2086,SC2046 # word splitting of the flag lists is intended
    if ! cc -std=c17 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Werror -O2 -g ${KAFKA_DEV_EXTRA_CFLAGS:-} -o "$KAFKA_DEV_BIN" \
        "$ROOT/ops/kafka-dev/kafka-dev.c" $(pkg-config --cflags --libs rdkafka) -pthread 2>"$WORK/cc.err"; then
        fail "kafka-dev.c compiles without warnings" "$(cat "$WORK/cc.err")"
        finish
    fi
    pass "kafka-dev.c compiles without warnings"
fi
export KAFKA_DEV_BIN
echo "# binary: $KAFKA_DEV_BIN; kcat: $(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p')"

rc=0
"$KAFKA_DEV_BIN" --brokers 0 >/dev/null 2>"$WORK/usage.err" || rc=$?
check "a usage error exits 2" 2 "$rc"
"$KAFKA_DEV_BIN" --help >"$WORK/help.out" 2>&1
rc=$?
if ((rc == 0)) && grep -q 'request-errors APIKEY ERRCODE COUNT' "$WORK/help.out"; then
    pass "--help exits 0 and documents the control commands"
else
    fail "--help exits 0 and documents the control commands" "rc=$rc"
fi

# --- start ----------------------------------------------------------------------------------------
bootstrap=$("$CTL" start "$DIR" --brokers 3 --topic t.four:4 --topic t.one:1 2>"$WORK/start.err")
rc=$?
if ((rc != 0)); then
    fail "start 3 brokers" "rc=$rc" "$(cat "$WORK/start.err")" "$(tail -n 5 "$DIR/log" 2>/dev/null)"
    finish
fi
if [[ $bootstrap =~ ^127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+$ ]]; then
    pass "start prints a bootstrap list of 3 brokers ($bootstrap)"
else
    fail "start prints a bootstrap list of 3 brokers" "got: $bootstrap"
fi
check "DIR/bootstrap holds the same list" "$bootstrap" "$(cat "$DIR/bootstrap" 2>/dev/null)"
pid=$(cat "$DIR/pid" 2>/dev/null)
if [[ $pid =~ ^[0-9]+$ ]] && alive "$pid"; then pass "DIR/pid names a live process"; else fail "DIR/pid names a live process" "pid: $pid"; fi
"$CTL" status "$DIR" >/dev/null
check "status exits 0 while running" 0 $?
IFS=, read -r _ broker2 _ <<<"$bootstrap"

# --- metadata -------------------------------------------------------------------------------------
kc -L -b "$bootstrap" >"$WORK/meta.out" 2>"$WORK/meta.err"
check "kcat -L: 3 brokers" 1 "$(grep -c '^ 3 brokers:' "$WORK/meta.out")"
check "kcat -L: t.four has 4 partitions" 1 "$(grep -c '^  topic "t.four" with 4 partitions:' "$WORK/meta.out")"
check "kcat -L: t.one has 1 partition" 1 "$(grep -c '^  topic "t.one" with 1 partitions:' "$WORK/meta.out")"

# --- produce and consume 1,000 keyed messages -------------------------------------------------------
for ((i = 1; i <= 1000; i++)); do printf 'key-%04d\tvalue %d\n' "$i" "$i"; done >"$WORK/in.tsv"
kc -P -b "$bootstrap" -t t.four -K'\t' -l "$WORK/in.tsv" 2>"$WORK/produce.err"
rc=$?
if ((rc == 0)) && ! grep -q 'Delivery failed' "$WORK/produce.err"; then
    pass "kcat -P delivers 1,000 keyed messages to t.four"
else
    fail "kcat -P delivers 1,000 keyed messages to t.four" "rc=$rc" "$(head -n 3 "$WORK/produce.err")"
fi
kc -C -b "$bootstrap" -t t.four -o beginning -e -q -K'\t' >"$WORK/out.tsv" 2>"$WORK/consume.err"
rc=$?
check "kcat -C -e exits 0" 0 "$rc"
check "kcat -C -e reads exactly 1,000 messages" 1000 "$(wc -l <"$WORK/out.tsv")"
if diff <(sort "$WORK/in.tsv") <(sort "$WORK/out.tsv") >"$WORK/diff.out"; then
    pass "every key arrives with its value, once"
else
    fail "every key arrives with its value, once" "$(head -n 6 "$WORK/diff.out")"
fi
kc -C -b "$bootstrap" -t t.four -o beginning -e -q -f '%p\n' 2>/dev/null | sort -u >"$WORK/parts.out"
check "the keys spread over all 4 partitions" "0 1 2 3" "$(paste -sd' ' "$WORK/parts.out")"

# --- a consumer group member ----------------------------------------------------------------------
kc -b "$bootstrap" -G kd-test-group "${GROUP_OPTS[@]}" -q -K'\t' -c 100 t.four >"$WORK/group.tsv" 2>"$WORK/group.err"
rc=$?
got=$(wc -l <"$WORK/group.tsv")
foreign=$(grep -Fvxc -f "$WORK/in.tsv" "$WORK/group.tsv")
if ((rc == 0 && got == 100 && foreign == 0)); then
    pass "kcat -G (group member) receives 100 intact messages"
else
    fail "kcat -G (group member) receives 100 intact messages" "rc=$rc lines=$got not produced=$foreign" \
        "$(tail -n 3 "$WORK/group.err")"
fi

# --- broker down and up through the control channel -------------------------------------------------
out=$("$CTL" ctl "$DIR" broker-down 2 2>&1)
rc=$?
check "ctl broker-down 2 answers ok" "0 ok broker-down 2" "$rc $out"
check "ctl.log says ok broker-down 2" "ok broker-down 2" "$(tail -n 1 "$DIR/ctl.log")"
if wait_for 15 metadata_fails "$broker2"; then
    pass "broker 2 ($broker2) refuses clients while down"
else
    fail "broker 2 ($broker2) refuses clients while down"
fi
if metadata_ok "$bootstrap"; then pass "the other brokers still answer"; else fail "the other brokers still answer"; fi
out=$("$CTL" ctl "$DIR" broker-up 2 2>&1)
rc=$?
check "ctl broker-up 2 answers ok" "0 ok broker-up 2" "$rc $out"
check "ctl.log says ok broker-up 2" "ok broker-up 2" "$(tail -n 1 "$DIR/ctl.log")"
if wait_for 15 metadata_ok "$broker2"; then pass "broker 2 answers again once up"; else fail "broker 2 answers again once up"; fi
out=$("$CTL" ctl "$DIR" broker-down 9 2>&1)
rc=$?
if ((rc == 1)) && [[ $out == error\ broker-down\ 9:* ]]; then
    pass "ctl of an unknown broker exits 1 with an error line"
else
    fail "ctl of an unknown broker exits 1 with an error line" "rc=$rc" "$out"
fi

# --- injected Produce errors -----------------------------------------------------------------------
out=$("$CTL" ctl "$DIR" request-errors Produce NOT_LEADER_FOR_PARTITION 3 2>&1)
check "ctl request-errors Produce NOT_LEADER_FOR_PARTITION 3 answers ok" 0 $?
for ((i = 1; i <= 10; i++)); do printf 'r-%02d\tretried %d\n' "$i" "$i"; done >"$WORK/retry.tsv"
kc -P -b "$bootstrap" -t t.one -K'\t' -d msg -l "$WORK/retry.tsv" >/dev/null 2>"$WORK/retry.err"
rc=$?
check "kcat -P still delivers after 3 retriable errors" 0 "$rc"
check "the producer met exactly the 3 injected errors" 3 "$(grep -c 'encountered error: Broker: Not leader for partition' "$WORK/retry.err")"
kc -C -b "$bootstrap" -t t.one -o beginning -e -q -K'\t' >"$WORK/one.tsv" 2>/dev/null
check "t.one holds the 10 messages, each once" "$(sort "$WORK/retry.tsv")" "$(sort "$WORK/one.tsv")"

out=$("$CTL" ctl "$DIR" request-errors Produce TOPIC_AUTHORIZATION_FAILED 1 2>&1)
check "ctl request-errors Produce TOPIC_AUTHORIZATION_FAILED 1 answers ok" 0 $?
printf 'denied\tnot stored\n' | kc -P -b "$bootstrap" -t t.one -K'\t' >/dev/null 2>"$WORK/denied.err"
rc=$?
if ((rc != 0)) && grep -q 'Delivery failed.*Topic authorization failed' "$WORK/denied.err"; then
    pass "kcat -P reports the non-retriable error and exits non-zero"
else
    fail "kcat -P reports the non-retriable error and exits non-zero" "rc=$rc" "$(cat "$WORK/denied.err")"
fi
check "the refused message was not stored" 10 "$(kc -C -b "$bootstrap" -t t.one -o beginning -e -q 2>/dev/null | wc -l)"

# --- other commands ----------------------------------------------------------------------------------
out=$("$CTL" ctl "$DIR" create-topic t.new 2 2>&1)
check "ctl create-topic t.new 2 answers ok" 0 $?
kc -L -b "$bootstrap" -t t.new >"$WORK/meta2.out" 2>&1
check "kcat -L: t.new has 2 partitions" 1 "$(grep -c '^  topic "t.new" with 2 partitions:' "$WORK/meta2.out")"
out=$("$CTL" ctl "$DIR" rtt all 0 2>&1)
check "ctl rtt all 0 answers ok" "0 ok rtt all 0" "$? $out"

# --- stop -------------------------------------------------------------------------------------------
start=$SECONDS
"$CTL" stop "$DIR" 2>"$WORK/stop.err"
rc=$?
took=$((SECONDS - start))
if ((rc == 0 && took <= 10)); then pass "stop exits 0 within 10 s (${took}s)"; else fail "stop exits 0 within 10 s" "rc=$rc took=${took}s"; fi
if ! alive "$pid"; then pass "pid $pid is gone"; else fail "pid $pid is gone"; fi
if [[ ! -e $DIR/pid && ! -e $DIR/bootstrap && ! -e $DIR/ctl ]]; then
    pass "pid, bootstrap and ctl are removed"
else
    fail "pid, bootstrap and ctl are removed" "$(ls "$DIR")"
fi
if grep -q 'stopping on signal 15' "$DIR/log" && ! grep -q 'did not stop' "$WORK/stop.err"; then
    pass "it stopped on SIGTERM by itself (no SIGKILL)"
else
    fail "it stopped on SIGTERM by itself (no SIGKILL)" "$(tail -n 3 "$DIR/log")"
fi
if grep -Eq 'Sanitizer|runtime error|LeakSanitizer' "$DIR/log"; then
    fail "no sanitizer report in the log" "$(grep -E -m 5 'Sanitizer|runtime error' "$DIR/log")"
else
    pass "no sanitizer report in the log"
fi
"$CTL" status "$DIR" >/dev/null
check "status exits 3 once stopped" 3 $?
"$CTL" stop "$DIR" 2>/dev/null
check "stop again is harmless (exit 0)" 0 $?
"$CTL" ctl "$DIR" ping >/dev/null 2>&1
check "ctl on a stopped peer exits 1" 1 $?

finish
