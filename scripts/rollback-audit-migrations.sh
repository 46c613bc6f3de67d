#!/usr/bin/env bash
# Rolls the database back to the state before the audit fields: reverts
# every applied audit migration, newest first (indexes, foreign keys, the
# backfills, then the columns), with the app's own rollback runner. Audit
# values are archived on the way (see docs/migrations.md, "Rolling back"), so applying
# the migrations again restores them.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/rollback-audit-migrations.sh [--yes] [--allow-production] [--discard-data]

Shows the database and its migration state, lists exactly the audit
migrations it will revert and, apart, every other migration it must revert
because it was applied later, with the rows each holds and what the
rollback does with them (kept aside and brought back by db:migrate, or
refused). Warns, asks for confirmation (a second question for those other
migrations), reverts them, verifies the pre-audit state, says what was kept
aside and prints how to re-apply.

Options:
  --yes               do not ask (for automation). Without it, and without a
                      terminal to ask on, the script stops and changes nothing.
  --allow-production  required as well when NODE_ENV=production
  --discard-data      passed to db:rollback: a down that cannot keep the rows
                      it drops drops them instead of refusing
  -h, --help          show this help

Uses MIGRATION_DATABASE_URL when set (only with DATABASE_URL), else DATABASE_URL, else the embedded
PostgreSQL under .data/ (like every db:* command).
Manual equivalent (--to is inclusive: name the FIRST audit migration):
  npm run db:rollback -- --to <first audit migration>
  npx sequelize db:migrate:undo:all --to <first audit migration>
USAGE
}

fail() {
  echo "rollback-audit-migrations: $*" >&2
  exit 1
}

assume_yes=0
allow_production=0
discard=()
for arg in "$@"; do
  case "$arg" in
    --yes | -y) assume_yes=1 ;;
    --allow-production) allow_production=1 ;;
    --discard-data) discard=(--discard-data) ;;
    -h | --help) usage; exit 0 ;;
    *) echo "rollback-audit-migrations: unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Node and the project's dependencies, found here rather than assumed.
node_bin="${NODE:-$(command -v node || true)}"
[ -n "$node_bin" ] && [ -x "$node_bin" ] ||
  fail "Node.js was not found. Install Node.js 20.19 or newer, or put it on PATH (or set NODE=/path/to/node)."
node_version="$("$node_bin" -p 'process.versions.node')"
"$node_bin" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  fail "Node.js $node_version is too old: 20.19 or newer is needed ($node_bin)."
[ -f "$root/node_modules/tsx/package.json" ] && [ -d "$root/node_modules/sequelize" ] ||
  fail "The project's dependencies are missing in $root/node_modules. Run: (cd $root && npm ci)"

run_ts() { "$node_bin" --import tsx "$@"; }

if [ "${NODE_ENV:-}" = "production" ] && [ "$allow_production" -ne 1 ]; then
  fail "NODE_ENV=production: refusing without --allow-production. Check that a backup is current first."
fi

echo "== Rollback of the audit migrations (node $node_version)"
plan="$(run_ts app/cli/audit-rollback-plan.ts ${discard[@]+"${discard[@]}"})" ||
  fail "could not read the migration state (see above)."
echo "$plan" | grep -v -E '^(TARGET|OTHERS|REFUSED)='
target="$(echo "$plan" | sed -n 's/^TARGET=//p')"
others="$(echo "$plan" | sed -n 's/^OTHERS=//p')"
if [ -z "$target" ]; then
  echo "Nothing to do."
  exit 0
fi
if echo "$plan" | grep -q '^REFUSED='; then
  fail "a down above refuses to drop rows that nothing brings back; nothing was changed. Take a backup (npm run db:backup) and re-run with --discard-data to drop them, or keep them."
fi

if [ -n "$others" ]; then
  echo "WARNING: this also reverts $others migration(s) that are not part of the audit (listed above, with their rows)."
fi
if [ "$assume_yes" -ne 1 ]; then
  if [ ! -t 0 ]; then
    fail "no terminal to confirm on and no --yes: nothing was changed. Re-run with --yes to proceed."
  fi
  read -r -p "Revert these migrations? Type 'yes' to continue: " answer
  [ "$answer" = "yes" ] || { echo "Not confirmed: nothing was changed."; exit 1; }
  if [ -n "$others" ]; then
    read -r -p "Revert the $others migration(s) that are not part of the audit as well (their rows as listed above)? Type 'yes' to continue: " answer
    [ "$answer" = "yes" ] || { echo "Not confirmed: nothing was changed."; exit 1; }
  fi
fi

echo "== Reverting down to and including $target"
run_ts app/cli/rollback.ts --to "$target" ${discard[@]+"${discard[@]}"} ||
  fail "the rollback stopped (see above). It is safe to run this script again: it resumes."

echo "== Verifying"
run_ts app/cli/audit-rollback-plan.ts --verify ||
  fail "the database is not at the pre-audit state (see above)."

cat <<DONE
== Done. The database is at the pre-audit state.
Audit values are kept in the audit archive (npm run db:audit-archive shows it);
the tables listed as kept aside above hold their rows until the re-apply.
To re-apply the migrations (restoring the archived values and the kept rows):
  npm run db:migrate        or        npx sequelize db:migrate
DONE
