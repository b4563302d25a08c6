#!/usr/bin/env bash
# make prod-down: stop the loopback production stack started by prod_up.sh and wait until
# supervisord and every program it ran have exited.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/prod_env.sh
source scripts/prod_env.sh

if ! supervisor_alive; then
  echo "prod-down: not running"
  rm -f "$RECALL_VAR"/run/*.sock "$RECALL_VAR/run/supervisord.pid"
  exit 0
fi
pid="$(cat "$RECALL_VAR/run/supervisord.pid")"
# supervisord stops its programs in reverse priority order (nginx first, then workers, web).
"$SUPERVISORCTL" -c deploy/supervisord.conf shutdown >/dev/null || kill -TERM "$pid"
for _ in $(seq 1 240); do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$RECALL_VAR"/run/*.sock
    echo "prod-down: stopped"
    exit 0
  fi
  sleep 0.5
done
echo "prod-down: supervisord (pid $pid) still running after 120 s" >&2
exit 1
