#!/usr/bin/env bash
# Fails when a Python module (outside migrations and tests) passes MAX_LINES: a module a reader
# cannot hold in mind is split by concern (a package with one module per concern).
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_LINES=500
# Grown past the limit by the branches merged with this check (one-pass importer, import
# previews, card browser, day queue, custom study, semantic search), to be split next:
ALLOWED=(
  # the day's queue: building, caching and serving it are one concern today; split into
  # build / cache / serve modules.
  recall/study/queue.py
  # grading, undo, bury and custom-study entry points; the custom-study ones move out.
  recall/study/services.py
  # viewsets and serializers of decks, notes, cards (with the browser's bulk actions), tags
  # and jobs; to become one module per resource.
  recall/decks/api/views.py
  recall/decks/api/serializers.py
  # Benchmark scripts, one scenario each; to be split into a package of steps.
  bench/peer.py
  bench/search.py
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
