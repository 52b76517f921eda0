#!/usr/bin/env bash
# One command: install, then run the tests. Extra arguments go to pytest (e.g. -m slow).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/scripts/bootstrap.sh"
# The browser tests drive Debian's Chromium; install it when we are allowed to.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; browser tests will fail" >&2
fi
cd "$root"
exec .venv/bin/python -m pytest "$@"
