#!/usr/bin/env bash
# Fails when a Python module (outside migrations and tests) passes MAX_LINES: a module a reader
# cannot hold in mind is split by concern (a package with one module per concern).
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_LINES=500
status=0
while IFS= read -r file; do
  lines=$(wc -l <"$file")
  if ((lines > MAX_LINES)); then
    echo "$file has $lines lines, over $MAX_LINES: split it by concern" >&2
    status=1
  fi
done < <(git ls-files -- '*.py' ':!:*/migrations/*' ':!:tests/*')
exit $status
