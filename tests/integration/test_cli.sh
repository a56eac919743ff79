#!/usr/bin/env bash
# test_cli.sh - the command line contract: help, exit codes (0/1/2/3), check finding mapping mistakes with
# file and path, map printing unified records without a warehouse, the reject threshold.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
new_db cli
with_key
cd "$WORK"
"$OG" --help >h.out 2>&1; check "onegrid --help exits 0" "0" "$?"
for c in init world check run map status rejects report demo; do
    "$OG" $c --help >h.out 2>&1 && grep -q "usage: onegrid $c" h.out && pass "onegrid $c --help teaches its usage" || fail "onegrid $c --help" "$(head -3 h.out)"
done
"$OG" help run | grep -q -- "--dry-run" && pass "onegrid help run" || fail "onegrid help run"
"$OG" nosuch >/dev/null 2>&1; check "unknown command exits 2" "2" "$?"
"$OG" run --bogus >/dev/null 2>&1; check "unknown option exits 2" "2" "$?"
"$OG" --version | grep -Eq '^onegrid [0-9]+\.[0-9]+\.[0-9]+' && pass "--version" || fail "--version"

# check: a config with an unknown key, a mapping with mistakes
echo '{"sources": [], "bogus": 1}' >bad.json
"$OG" check --config bad.json 2>err.out; check "check: unknown config key exits 2" "2" "$?"
grep -q 'unknown key "bogus"' err.out && pass "check names the unknown config key" || fail "check names the unknown config key" "$(cat err.out)"
mkdir -p m
cat >m/bad1.json <<'JSON'
{"feed": "X", "department": "UM", "target": "event", "fields": {"source_id": "id", "reported_at": {"from": "t", "convert": [{"time": "yyyy-MM-dd"}]}}}
JSON
cat >m/bad2.json <<'JSON'
{"feed": "X", "department": "UM", "target": "event", "fields": {"source_id": "id", "summary": {"from": "d", "convert": ["tiem"]}}}
JSON
cat >m/bad3.json <<'JSON'
{"feed": "X", "department": "UM", "target": "event", "fields": {"source_id": "id", "summry": "d"}}
JSON
cat >m/bad4.json <<'JSON'
{"feed": "X", "department": "UM", "target": "event", "fields": {"source_id": "id", "category_code": {"from": "c", "convert": [{"code_table": "nosuch.csv"}], "on_error": "null"}}}
JSON
"$OG" check --mapping m/bad1.json 2>e1; check "check: missing on_error policy exits 2" "2" "$?"
grep -q 'm/bad1.json: fields.reported_at: a conversion here can fail' e1 && pass "check names file and path of the missing policy" || fail "missing policy message" "$(cat e1)"
"$OG" check --mapping m/bad2.json 2>e2
grep -q 'm/bad2.json: fields.summary.convert\[0\]: unknown conversion "tiem"' e2 && pass "check names file and path of an unknown conversion" || fail "unknown conversion message" "$(cat e2)"
"$OG" check --mapping m/bad3.json 2>e3
grep -q 'unknown field "summry"' e3 && pass "check names an unknown unified field" || fail "unknown field message" "$(cat e3)"
"$OG" check --mapping m/bad4.json 2>e4
grep -q 'fields.category_code.convert\[0\]: code table: could not open' e4 && pass "check reports a missing code table" || fail "missing code table message" "$(cat e4)"
"$OG" check --mapping "$ROOT/mappings/urban/um_cases.json" --mapping "$ROOT/mappings/fire/fr_inspections.json" --mapping "$ROOT/mappings/health/hl_visits.json" >ok.out 2>&1
check "check: the shipped mappings are valid" "0" "$?"

# map: unified records without a warehouse
env -u ONEGRID_DSN "$OG" map --mapping "$ROOT/mappings/fire/fr_inspections.json" "$ROOT/samples/fr/fr_inspections_20200203.csv" >map.out 2>map.err
check "map exits 0" "0" "$?"
check "map prints one JSON line per loaded record" "$(manifest feeds,fr_inspections,expected_loaded)" "$(wc -l <map.out | tr -d ' ')"
grep -q '"grid_method":"point"' map.out && grep -q '"category_name":"消防安全"' map.out && pass "map output carries placement and taxonomy" || fail "map output fields" "$(head -c 400 map.out)"
grep -q ':[0-9]*: rejected: field_count' map.err && pass "map reports rejects with file:line and reason on stderr" || fail "map rejects on stderr" "$(head -3 map.err)"

# the UM mapping reads real Open311 GeoReport v2 files from other cities too (../shared/data, present in CI)
SHARED=$ROOT/../shared/data/urban
if [[ -d $SHARED ]]; then
    "$OG" map --mapping "$ROOT/mappings/urban/um_cases.json" "$SHARED/chicago_open311_georeport_v2_requests_2014-2015.json" >chi.out 2>chi.err
    check "map: Chicago Open311 requests.json, 50 records" "50" "$(wc -l <chi.out | tr -d ' ')"
    grep -q '"grid_method":"none"' chi.out && pass "map: points outside the district are placed nowhere, not rejected" || fail "Chicago placement" "$(head -c 300 chi.out)"
    "$OG" map --mapping "$ROOT/mappings/urban/um_cases.json" "$SHARED/open311_spec/georeport_v2_requests.json" >spec.out 2>spec.err
    check "map: the spec's own requests.json (leading-zero codes repaired), 2 records" "2" "$(wc -l <spec.out | tr -d ' ')"
    grep -q '"source_category":"006"' spec.out && pass "map: service_code 006 read as the text \"006\"" || fail "leading zeros" "$(head -c 300 spec.out)"
else
    echo "skip - ../shared/data not present: Open311 samples not checked"
fi

# run exit codes
cat >c.json <<JSON
{"world": {"dir": "$ROOT/world/jinping", "crosswalks": "$ROOT/mappings/crosswalks"},
 "taxonomy": "$ROOT/mappings/taxonomy/categories.csv", "max_reject_ratio": 0.001,
 "sources": [{"name": "fr", "inputs": "$ROOT/samples/fr/*.csv", "mapping": "$ROOT/mappings/fire/fr_inspections.json"}]}
JSON
"$OG" run --config c.json >/dev/null 2>e5; check "run before init exits 2 and says so" "2" "$?"
grep -q "onegrid init" e5 && pass "the hint names onegrid init" || fail "init hint" "$(cat e5)"
"$OG" init >/dev/null; "$OG" world import >/dev/null
"$OG" run --config c.json --no-progress >r.out 2>e6; check "rejects over max_reject_ratio exit 3" "3" "$?"
check_q "the run is recorded as rejects_exceeded" "rejects_exceeded" "SELECT status FROM onegrid.etl_run ORDER BY run_id DESC LIMIT 1"
check_q "the records still loaded (the threshold does not drop data)" "$(manifest feeds,fr_inspections,expected_loaded)" "SELECT count(*) FROM onegrid.event"
ONEGRID_DSN="host=127.0.0.1 port=1 dbname=x connect_timeout=2" "$OG" run --config c.json >/dev/null 2>e7; check "an unreachable warehouse exits 1" "1" "$?"
env -u ONEGRID_ID_KEY_FILE "$OG" run --config c.json >/dev/null 2>e8; check "a run without the identity key exits 2" "2" "$?"
grep -q "ONEGRID_ID_KEY" e8 && pass "the key error says which variable to set" || fail "key error" "$(cat e8)"
chmod 644 "$ONEGRID_ID_KEY_FILE"
"$OG" run --config c.json >/dev/null 2>e9; check "a group-readable key file is refused (exit 2)" "2" "$?"
grep -q "chmod 600" e9 && pass "the key-file error says chmod 600" || fail "key-file error" "$(cat e9)"
chmod 600 "$ONEGRID_ID_KEY_FILE"
"$OG" run --config c.json --dry-run --source nosuch >/dev/null 2>e10; check "an unknown --source exits 2" "2" "$?"

# Kafka sources: librdkafka properties checked with librdkafka's own words; secrets only from the
# environment or a 0600 file, never from the config, and never printed
kafka_cfg() { # kafka_cfg OPTIONS-JSON
    cat >k.json <<JSON
{"sources": [{"name": "ps", "mapping": "$ROOT/mappings/police/ps_incidents.json", "options": $1}]}
JSON
}
kafka_cfg '{"kafka": {"bootstrap.servers": "127.0.0.1:1", "fetch.wait.max.ms": "soon"}}'
"$OG" check --config k.json >/dev/null 2>e11; check "check: a bad librdkafka property exits 2" "2" "$?"
grep -q 'kafka property "fetch.wait.max.ms"' e11 && pass "check names the property with librdkafka's message" || fail "kafka property message" "$(cat e11)"
kafka_cfg '{"kafka": {"bootstrap.servers": "127.0.0.1:1", "sasl.password": "hunter2"}}'
"$OG" check --config k.json >/dev/null 2>e12; check "check: a password in the config exits 2" "2" "$?"
grep -q 'holds a secret' e12 && ! grep -q hunter2 e12 && pass "a secret in the config is refused, not echoed" || fail "secret in config" "$(cat e12)"
kafka_cfg '{"kafka": {"bootstrap.servers": "127.0.0.1:1", "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN", "sasl.username": "u"}, "secrets": {"sasl.password": "env:OG_TEST_KAFKA_PW"}}'
env -u OG_TEST_KAFKA_PW "$OG" check --config k.json >/dev/null 2>e13; check "an unset secret variable exits 2" "2" "$?"
grep -q 'OG_TEST_KAFKA_PW is not set' e13 && pass "the error names the variable" || fail "secret variable message" "$(cat e13)"
OG_TEST_KAFKA_PW=s3cret-pw "$OG" check --config k.json >o14 2>e14; check "a secret from the environment passes check" "0" "$?"
grep -q s3cret-pw o14 e14 && fail "the secret was printed" || pass "the secret is never printed"
printf 's3cret-pw\n' >pw; chmod 644 pw
kafka_cfg '{"kafka": {"bootstrap.servers": "127.0.0.1:1"}, "secrets": {"sasl.password": "file:'"$WORK"'/pw"}}'
"$OG" check --config k.json >/dev/null 2>e15; check "a group-readable secret file exits 2" "2" "$?"
grep -q 'chmod 600' e15 && pass "the secret-file error says chmod 600" || fail "secret file message" "$(cat e15)"
chmod 600 pw
"$OG" check --config k.json >/dev/null 2>e16; check "a 0600 secret file passes check" "0" "$?"
finish
