#!/usr/bin/env bash
# One command: install, then run the tests.
#   ./test.sh           every layer: unit + integration (the shared corpus, the real index and
#                       models, the live server, Chromium), one worker per core
#   ./test.sh --quick   the unit layer only (-m "not integration"): hand-made data, no ../shared,
#                       no models, no browser
# Other arguments go to pytest: ./test.sh --quick -k fusion, ./test.sh -m browser, ...
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$root/scripts/bootstrap.sh"
quick=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--quick" ]; then quick=1; else args+=("$arg"); fi
done
if [ "$quick" = 0 ]; then
  # The browser tests drive Debian's Chromium; the CJK fonts make screenshots of Chinese
  # clauses show characters, not boxes. Installed when we are allowed to.
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
      || echo "warning: could not install ${missing[*]}; browser tests may fail or show boxes for Chinese" >&2
  fi
fi
cd "$root"
if [ "$quick" = 1 ]; then
  exec .venv/bin/python -m pytest -m "not integration" "${args[@]}"
fi
# Every layer on one worker per core (pytest-xdist), each test file whole on one worker (its
# module fixtures built once); WSIS_TEST_WORKERS=0 runs them in this one process.
exec .venv/bin/python -m pytest --numprocesses "${WSIS_TEST_WORKERS:-auto}" --dist loadfile "${args[@]}"
