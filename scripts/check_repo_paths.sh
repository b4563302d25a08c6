#!/usr/bin/env bash
# Fails when tests, benchmarks or scripts point outside the repository: a user's clone has only
# the repository, so every file the suite and `make demo` read must live inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='(\.\./|\.parent\s*/\s*)"?shared\b|/work/'
if git grep -n -I -E "$pattern" -- tests bench scripts Makefile .ci ':!scripts/check_repo_paths.sh'; then
  echo "These lines read outside the repository; use a fixture under tests/fixtures/ instead." >&2
  exit 1
fi
