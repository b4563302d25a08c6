#!/usr/bin/env bash
# Fails when a Python module (outside migrations and tests) passes MAX_LINES: a module a reader
# cannot hold in mind is split by concern (a package with one module per concern).
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_LINES=500
# Owned by parallel changes when this check arrived, to be split after they merge.
ALLOWED=(
  recall/study/hotpath.py
  recall/study/selectors.py
  # Benchmark scripts, one scenario each; to be split into a package of steps.
  bench/peer.py
  bench/study.py
)
status=0
while IFS= read -r file; do
  lines=$(wc -l <"$file")
  if ((lines > MAX_LINES)); then
    allowed=0
    for a in "${ALLOWED[@]}"; do [[ "$file" == "$a" ]] && allowed=1; done
    if ((allowed)); then
      echo "allowed for now: $file has $lines lines (over $MAX_LINES)"
    else
      echo "$file has $lines lines, over $MAX_LINES: split it by concern" >&2
      status=1
    fi
  fi
done < <(git ls-files -- '*.py' ':!:*/migrations/*' ':!:tests/*')
exit $status
