#!/usr/bin/env bash
# Installs everything the tests need, then runs them all: npm packages, Debian's Chromium and PostgreSQL when missing,
# types, lint, and every test against a throwaway PostgreSQL cluster on 127.0.0.1 that stops on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

# `npm ci` fails against this registry (it lacks rollup's platform packages the lockfile would need to name);
# `npm install` with the committed lockfile works and leaves it unchanged.
npm install --no-audit --no-fund

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the end-to-end and PostgreSQL tests"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

npm run typecheck
npm run lint

# PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user.
pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PG_BIN=$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -1)")
PG_DIR=$(mktemp -d)
trap '[ ! -f "$PG_DIR/data/postmaster.pid" ] || pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null; rm -rf "$PG_DIR"' EXIT
[ "$(id -u)" -ne 0 ] || chown postgres: "$PG_DIR"
PG_PORT=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
# fsync off: nothing in a test cluster needs to survive a crash of the machine.
pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
# The *.pg.test.ts files fail, never skip, when this is missing in CI.
export POUROVER_TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"

# Two files side by side: most of a test's time is spent waiting on the servers, processors and devices it runs as child
# processes. Then, one at a time, the files that bound a recovery in wall-clock time and the Chromium ones (Lighthouse
# scores the page's speed), so nothing beside them slows them down.
POUROVER_TEST_PHASE=side-by-side npx vitest run --maxWorkers 2
POUROVER_TEST_PHASE=alone npx vitest run --maxWorkers 1
