# shellcheck shell=bash disable=SC2034
# ops/bench/lib.sh - what the benchmark scripts share (sourced by ops/bench/run, kafka, xml, pgsql, suite;
# not run on its own). Not a test.
#
#   source "$(dirname "$0")/lib.sh"; bench_setup NAME      a work folder $W (removed on exit, with the PostgreSQL
#                                                          and Kafka peer started in it stopped)
#   bench_kafka_start TOPIC:PARTITIONS...                  a development Kafka peer; $BOOT its bootstrap list
#   bench_pg_start; bench_og_init                          throwaway PostgreSQL ($DSN, exported as ONEGRID_DSN),
#                                                          identity key, `onegrid init` + `world import`
#   bench_time NAME CMD...                                 run CMD (stdout/stderr to $W/NAME.out/.err) and set
#                                                          B_WALL (s), B_CPU (user+sys s of CMD and its children)
#                                                          and B_PEAK (onegrid's "peak memory X MiB", else "")
#   bench_summary NAME FIELD                               a number from $W/NAME.summary.json (`onegrid run
#                                                          --summary`), e.g. .totals.read
#   bench_export TABLE...; bench_copy1 TABLE...; bench_copy2 TABLE...
#                                                          raw COPY baselines of the final rows of TABLEs (in
#                                                          foreign-key order: parents first), see below
#   bench_csv FILE FIELD...; bench_md FIELD...             one CSV line / one Markdown table row
#
# Environment: ONEGRID_BIN (default build/bin/onegrid, then `make all` is run first), ONEGRID_TOOLS (the folder
# of og-feedgen, default build/bin), KAFKA_DEV_BIN, PGBIN (default /usr/lib/postgresql/15/bin), TMPDIR, BENCH_OUT
# (where reports and the suite's CSV go, default ops/bench/out).
# Root or not: PostgreSQL runs as `postgres` under root (ops/pg-local), so $W is made traversable (755); every
# file the benches read or write (inputs, COPY files, pgloader's) is read or written by the client side (psql
# \copy, onegrid, pgloader), as the calling user, so no file needs to be handed to postgres.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROOT=$BENCH_ROOT
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
GEN=${ONEGRID_TOOLS:-$BENCH_ROOT/build/bin}/og-feedgen
export KAFKA_DEV_BIN=${KAFKA_DEV_BIN:-$BENCH_ROOT/build/bin/og-kafka-dev}
if [[ -n ${ONEGRID_BIN:-} ]]; then
    BIN=$ONEGRID_BIN
else
    BIN=$BENCH_ROOT/build/bin/onegrid
    make -s -C "$BENCH_ROOT" all
fi
BENCH_OUT=${BENCH_OUT:-$BENCH_ROOT/ops/bench/out}
W=
BENCH_KAFKA_DIR=

# calc EXPR: awk arithmetic, 6 decimals
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
now() { date +%s.%N; }
# fmt DECIMALS NUMBER ("" and "-" stay "-")
fmt() { if [[ -z ${2:-} || $2 == - ]]; then printf -- '-'; else printf "%.${1}f" "$2"; fi; }
# ratio A B: A / B with 2 decimals, "-" when either is missing or B is 0
ratio() {
    if [[ -z ${1:-} || -z ${2:-} || $1 == - || $2 == - ]] || awk "BEGIN { exit !($2 == 0) }"; then printf -- '-'
    else printf '%.2f' "$(calc "$1 / $2")"; fi
}

bench_cleanup() {
    [[ -n $BENCH_KAFKA_DIR ]] && bash "$BENCH_ROOT/ops/kafka-dev/kafka-dev-ctl" stop "$BENCH_KAFKA_DIR" >/dev/null 2>&1
    [[ -n $W ]] && bash "$BENCH_ROOT/ops/pg-local" stop "$W/pg" >/dev/null 2>&1
    [[ -n $W ]] && rm -rf -- "$W"
    return 0
}

# bench_setup NAME: the work folder $W and the exit trap
bench_setup() {
    W=$(mktemp -d "${TMPDIR:-/tmp}/og-$1.XXXXXX")
    chmod 755 "$W"
    trap bench_cleanup EXIT
    set -o errtrace
    trap 'echo "bench: failed (exit $?) at ${BASH_SOURCE[0]##*/} line $LINENO: $BASH_COMMAND" >&2' ERR
    trap 'exit 130' INT TERM
}

# bench_kafka_start TOPIC:PARTITIONS...: a development Kafka peer in $W/kd (stopped on exit); sets BOOT, its
# bootstrap list. Not in $(...): the exit trap must know the folder.
bench_kafka_start() {
    BENCH_KAFKA_DIR=$W/kd
    local args=() t
    for t in "$@"; do args+=(--topic "$t"); done
    BOOT=$(bash "$BENCH_ROOT/ops/kafka-dev/kafka-dev-ctl" start "$BENCH_KAFKA_DIR" --brokers 1 "${args[@]}")
}

# bench_kafka_stop: stop it (also done on exit)
bench_kafka_stop() {
    [[ -n $BENCH_KAFKA_DIR ]] && bash "$BENCH_ROOT/ops/kafka-dev/kafka-dev-ctl" stop "$BENCH_KAFKA_DIR" >/dev/null 2>&1
    BENCH_KAFKA_DIR=
}

# bench_pg_start: PostgreSQL in $W/pg, $DSN (exported as ONEGRID_DSN), the identity key
bench_pg_start() {
    DSN=$(bash "$BENCH_ROOT/ops/pg-local" start "$W/pg")
    export ONEGRID_DSN=$DSN
    PGPORT_BENCH=$(sed -E 's/.*port=([0-9]+).*/\1/' <<<"$DSN")
    printf 'bench-key-0123456789abcdef0123456789' >"$W/key"
    chmod 600 "$W/key"
    export ONEGRID_ID_KEY_FILE=$W/key
}

bench_og_init() { "$BIN" init >/dev/null && "$BIN" world import >/dev/null; }

# q SQL: one value per line (psql -At), stops on the first error
q() { PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DSN" -c "$1"; }
pg_version() { q "SHOW server_version"; }
machine() { echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, PostgreSQL $(pg_version)"; }

# peak_of FILE: the last "peak memory X MiB" onegrid logged in FILE ("" when none)
peak_of() { sed -n 's/.*peak memory \([0-9.]*\) MiB.*/\1/p' "$1" | tail -n 1; }

# bench_time NAME CMD...: see the top. Fails when CMD fails (its stderr tail printed).
bench_time() {
    local name=$1 rc=0 TIMEFORMAT='%R %U %S' u s
    shift
    { time "$@" >"$W/$name.out" 2>"$W/$name.err" || rc=$?; } 2>"$W/$name.time"
    if ((rc != 0)); then
        echo "bench: '$*' failed (exit $rc); last lines of its stderr:" >&2
        tail -n 15 "$W/$name.err" >&2
        return "$rc"
    fi
    read -r B_WALL u s <"$W/$name.time"
    B_CPU=$(calc "$u + $s")
    B_PEAK=$(peak_of "$W/$name.err")
}

# og_run NAME CONFIG: `onegrid run` timed by bench_time, with its summary in $W/NAME.summary.json
og_run() { bench_time "$1" "$BIN" run --config "$2" --no-progress --summary "$W/$1.summary.json"; }

# bench_summary NAME JQ: a number from the summary of og_run NAME
bench_summary() { jq -r "$2 // 0" "$W/$1.summary.json"; }

# rows_written NAME: warehouse rows an og_run wrote (inserted + updated + history + members + health codes)
rows_written() {
    jq -r '.warehouse | (.inserted + .updated + .history + .members + .health)' "$W/$1.summary.json"
}

# count_rows TABLE...: the sum of their row counts
count_rows() {
    local t sum=0
    for t in "$@"; do sum=$((sum + $(q "SELECT count(*) FROM onegrid.$t"))); done
    echo "$sum"
}

# bench_export TABLE...: COPY TO (text format) of each onegrid.TABLE into $W/copy/TABLE.copy
bench_export() {
    local t
    mkdir -p "$W/copy"
    for t in "$@"; do
        "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DSN" -c "\\copy onegrid.$t TO '$W/copy/$t.copy'"
    done
}

# truncate_tables TABLE...: empty them (CASCADE: their children go too, and are reloaded after them)
truncate_tables() {
    local list=() t
    for t in "$@"; do list+=("onegrid.$t"); done
    q "TRUNCATE $(
        IFS=,
        echo "${list[*]}"
    ) CASCADE"
}

# bench_copy1 TABLE...: empty the tables, then time loading their exported rows back (psql \copy FROM, text
# format, into the same tables with their indexes, constraints and triggers), one stream, table after table.
# Sets B_WALL (s) and B_ROWS (rows loaded, counted after).
bench_copy1() {
    local t t0 t1
    truncate_tables "$@"
    t0=$(now)
    for t in "$@"; do
        "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DSN" -c "\\copy onegrid.$t FROM '$W/copy/$t.copy'"
    done
    t1=$(now)
    B_WALL=$(calc "$t1 - $t0")
    B_ROWS=$(count_rows "$@")
}

# bench_copy2 TABLE...: the same with two streams: each table's export split in two halves by lines (split -n
# l/2), loaded by two concurrent psql sessions; table after table (a child table's rows need their parents, which
# the other stream may still be loading), so the two streams run side by side within each table.
bench_copy2() {
    local t t0 t1 p1 p2 rc
    for t in "$@"; do split -n l/2 -d "$W/copy/$t.copy" "$W/copy/$t.half."; done
    truncate_tables "$@"
    t0=$(now)
    for t in "$@"; do
        "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DSN" -c "\\copy onegrid.$t FROM '$W/copy/$t.half.00'" &
        p1=$!
        "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DSN" -c "\\copy onegrid.$t FROM '$W/copy/$t.half.01'" &
        p2=$!
        rc=0
        wait "$p1" || rc=$?
        wait "$p2" || rc=$?
        ((rc == 0)) || { echo "bench: two-stream COPY of onegrid.$t failed" >&2; return 1; }
    done
    t1=$(now)
    B_WALL=$(calc "$t1 - $t0")
    B_ROWS=$(count_rows "$@")
    rm -f "$W"/copy/*.half.*
}

# report TEXT: print it and append it to ops/bench/out/reports.txt (ignored by git)
report() {
    mkdir -p "$BENCH_OUT"
    echo "$1" | tee -a "$BENCH_OUT/reports.txt"
}

# bench_csv FILE FIELD...: one CSV line (fields hold no commas or quotes here)
bench_csv() {
    local f=$1
    shift
    (
        IFS=,
        echo "$*"
    ) >>"$f"
}

# bench_md FIELD...: one Markdown table row
bench_md() {
    local out="|" x
    for x in "$@"; do out+=" $x |"; done
    echo "$out"
}
