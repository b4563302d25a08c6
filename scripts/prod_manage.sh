#!/usr/bin/env bash
# Run manage.py with the loopback production stack's environment:
#   scripts/prod_manage.sh createsuperuser
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/prod_env.sh
source scripts/prod_env.sh
exec "$RECALL_BIN/python" manage.py "$@"
