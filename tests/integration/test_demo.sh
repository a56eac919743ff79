#!/usr/bin/env bash
# test_demo.sh - `onegrid demo` on its own: starts its own throwaway PostgreSQL under --dir, loads the
# Jinping world and the bundled feeds, prints the summary, stops the server.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
chmod 755 "$WORK"
env -u ONEGRID_DSN -u ONEGRID_ID_KEY_FILE "$OG" demo --dir "$WORK/demo" >"$WORK/demo.out" 2>"$WORK/demo.err"
check "onegrid demo exits 0" "0" "$?"
grep -q "685 unified grids" "$WORK/demo.out" && pass "demo imports the Jinping world" || fail "demo world" "$(head -5 "$WORK/demo.out")"
grep -Eq "^hl_visits +1 +0 +1500 +1486 +14 " "$WORK/demo.out" && pass "demo summary: HL read/loaded/rejected" || fail "demo HL line" "$(grep hl_visits "$WORK/demo.out")"
grep -q "invalid_time=16" "$WORK/demo.out" && pass "demo summary: rejects by reason" || fail "demo reasons" "$(grep um_cases "$WORK/demo.out")"
# the Kafka feeds: the demo starts ops/kafka-dev, kcat produces the samples, the run drains the topics
grep -Eq "^ps_incidents +4 +0 +1200 +1144 +56 " "$WORK/demo.out" && pass "demo summary: PS-2 from Kafka (4 partitions)" || fail "demo PS-2 line" "$(grep -E 'ps_incidents|kafka' "$WORK/demo.out" "$WORK/demo.err" | head -5)"
grep -Eq "^hl_healthcode +4 +0 +1500 +1419 +81 " "$WORK/demo.out" && pass "demo summary: HL-1 from Kafka" || fail "demo HL-1 line" "$(grep hl_healthcode "$WORK/demo.out")"
grep -Eq "^red +\| 117 " "$WORK/demo.out" && pass "demo summary: current health codes" || fail "demo health codes" "$(grep -A5 'Current health' "$WORK/demo.out")"
if bash "$ROOT/ops/kafka-dev/kafka-dev-ctl" status "$WORK/demo/kafka" >/dev/null 2>&1; then fail "demo stops its Kafka peer"; else pass "demo stops its Kafka peer"; fi
# HT-1: the demo creates the hotline's own database "hotline" in its cluster, loads samples/ht/*.sql into it
# with psql and pulls hotline.ticket through the pgsql source; what lands is what samples/MANIFEST.json says
ht() { ONEGRID_DSN="host=$OG_PG_HOST port=$OG_PG_PORT dbname=postgres user=postgres" manifest "feeds,ht_tickets,$1"; }
ht_loaded=$(ht expected_loaded)
[[ $ht_loaded -gt 0 ]] && pass "the manifest expects $ht_loaded HT-1 tickets" || fail "manifest ht_tickets" "$ht_loaded"
grep -Eq "^ht_tickets +[0-9]+ +0 +$(ht records_written) +$ht_loaded +0 " "$WORK/demo.out" && pass "demo summary: HT-1 from the hotline's database" || fail "demo HT-1 line" "$(grep -E 'ht_tickets|hotline' "$WORK/demo.out" "$WORK/demo.err" | head -5)"
want="$ht_loaded"
for k in final_status_counts,reported final_status_counts,dispatched final_status_counts,in_progress \
    final_status_counts,resolved final_status_counts,closed grid_method_counts,point grid_method_counts,community \
    grid_method_counts,none unmapped_category; do want+="|$(ht "$k")"; done
check "demo: HT events (department HT) by status and grid method = the manifest" "$want" \
    "$(grep -A3 '^12345 hotline tickets' "$WORK/demo.out" | sed -n 4p | tr -d ' ')"
check "demo: HT events per street add up to the manifest" "$ht_loaded" \
    "$(awk -F'|' '/^Events per street/ {on = 1; next} on && /^\(/ {exit} on && $6 ~ /^ *[0-9]+ *$/ {s += $6} END {print s + 0}' "$WORK/demo.out")"
grep -q "小公园街道" "$WORK/demo.out" && pass "demo summary: events per street" || fail "demo streets"
grep -q "grid_method" "$WORK/demo.out" && pass "demo summary: grid method shares" || fail "demo grid methods"
check "demo key file is mode 600" "600" "$(stat -c %a "$WORK/demo/id.key")"
if bash "$ROOT/ops/pg-local" status "$WORK/demo/pg" >/dev/null 2>&1; then fail "demo stops its PostgreSQL"; else pass "demo stops its PostgreSQL"; fi
finish
