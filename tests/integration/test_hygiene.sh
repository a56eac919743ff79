#!/usr/bin/env bash
# test_hygiene.sh - what a new user meets first: the repository holds no runtime state, the reason
# codes in docs/ are the binary's, and `make demo` works for an ordinary user in a fresh clone
# (run as such a user when the suite runs as root), leaving the clone as git checked it out.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

# 1. nothing runtime is tracked: no PostgreSQL data folder, no key, no bench or test output
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    tracked=$(git -C "$ROOT" ls-files | grep -E '(^|/)(PG_VERSION|postmaster\.(pid|opts)|pg_hba\.conf|[^/]*\.key|dsn)$|(^|/)\.onegrid-demo/|(^|/)ops/bench/out/' | head -5)
    check "git tracks no PostgreSQL data folder, key file or bench output" "" "$tracked"
    ignored=$(cd "$ROOT" && git check-ignore -q .onegrid-demo/pg/data/PG_VERSION && git check-ignore -q .onegrid-demo/id.key && echo yes)
    check "the demo's folder and key are ignored by git" "yes" "$ignored"
else
    pass "not a git checkout: tracked-file checks skipped"
fi

# 2. docs/reasons.md is what the binary says (the contract for etl_reject.reason)
"$OG" rejects --reasons --markdown >"$WORK/reasons.md"
if diff -u "$ROOT/docs/reasons.md" "$WORK/reasons.md" >"$WORK/reasons.diff"; then
    pass "docs/reasons.md matches onegrid rejects --reasons --markdown"
else
    fail "docs/reasons.md is out of date (regenerate: onegrid rejects --reasons --markdown > docs/reasons.md)" "$(head -20 "$WORK/reasons.diff")"
fi
n_codes=$("$OG" rejects --reasons | grep -c ' record ')
distinct=$("$OG" rejects --reasons | awk '{print $1}' | sort | uniq -d | wc -l)
check "reason codes are spelled once" "0" "$distinct"
[[ $n_codes -ge 19 ]] && pass "$n_codes record reason codes documented" || fail "record reason codes" "$n_codes"

# 3. make demo as an ordinary user in a fresh clone: it succeeds, creates its own 0600 key, and
#    leaves `git status --porcelain` empty
# (as a user types it: none of the variables of the make that runs this test, such as the
# sanitizer pass's BUILD=build-san, which make passes on to every make below it)
clean_env=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u SANITIZE)
if [[ $EUID -eq 0 ]]; then
    user=nobody
    as_user() { runuser -u "$user" -- "${clean_env[@]}" HOME="$WORK/home" PATH="$PATH" "$@"; }
else
    user=$(id -un)
    as_user() { "${clean_env[@]}" HOME="$WORK/home" "$@"; }
fi
mkdir -p "$WORK/home" "$WORK/u"
clone="$WORK/u/onegrid"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    git clone -q "$ROOT" "$clone"
    # the clone is of what is committed; bring the working tree's tracked changes along, so that a
    # developer's uncommitted change is what is tested (CI runs on a clean clone: no difference)
    (cd "$ROOT" && git diff HEAD --binary) | (cd "$clone" && git apply --allow-empty 2>/dev/null || true)
    (cd "$ROOT" && git ls-files --others --exclude-standard -z) |
        (cd "$ROOT" && xargs -0 -r cp --parents -t "$clone")
    (cd "$clone" && git add -A >/dev/null && git -c user.name=t -c user.email=t@t commit -qm wip >/dev/null 2>&1 || true)
else
    cp -r "$ROOT" "$clone"
fi
chmod 755 "$WORK" "$WORK/u"
[[ $EUID -eq 0 ]] && chown -R "$user" "$WORK/u" "$WORK/home"
as_user git config --global --add safe.directory '*' 2>/dev/null
as_user make -C "$clone" demo >"$WORK/demo.out" 2>"$WORK/demo.err"
rc=$?
check "make demo as $user in a fresh clone exits 0" "0" "$rc"
grep -Eq "^hl_visits +1 +0 +1500 +1486 +14 " "$WORK/demo.out" && pass "the demo as $user loads the sample feeds" || fail "demo as $user" "$(tail -5 "$WORK/demo.err")" "$(grep -E 'run|hl_visits' "$WORK/demo.out")"
check "the demo key was created with mode 600" "600" "$(stat -c %a "$clone/.onegrid-demo/id.key" 2>&1)"
check "the demo key belongs to $user" "$user" "$(stat -c %U "$clone/.onegrid-demo/id.key" 2>&1)"
check "git status --porcelain is empty after make demo" "" "$(cd "$clone" && as_user git status --porcelain 2>&1)"

# 4. a demo key readable by others is never reused: it is replaced, and the log says so
chmod 644 "$clone/.onegrid-demo/id.key"
old=$(cat "$clone/.onegrid-demo/id.key")
(cd "$clone" && as_user "$clone/build/bin/onegrid" demo >"$WORK/demo2.out" 2>"$WORK/demo2.err")
check "a second demo over a 0644 key exits 0" "0" "$?"
grep -q "was readable by others or not yours (mode 0644" "$WORK/demo2.err" && pass "the demo says it replaced the loose key" || fail "loose key message" "$(cat "$WORK/demo2.err")"
check "the replaced key is mode 600" "600" "$(stat -c %a "$clone/.onegrid-demo/id.key")"
[[ "$(cat "$clone/.onegrid-demo/id.key")" != "$old" ]] && pass "the replaced key is a new key" || fail "the key was reused"
check "the summary of the second demo loads the same" "1" "$(grep -Ec '^hl_visits +1 +0 +1500 +1486 +14 ' "$WORK/demo2.out")"
finish
