#!/usr/bin/env bash
# One command: install, fetch what is missing, build the index when missing or stale, serve.
# Extra arguments go to `wsis serve` (e.g. --port 9000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/scripts/bootstrap.sh"
exec "$root/.venv/bin/wsis" serve "$@"
