#!/usr/bin/env bash
# Print the path of a Chromium that the browser tests and bench/panel.py can drive.
#
# Order: $CHROME_PATH (if executable), /usr/bin/chromium, then (as root with apt-get) Debian's
# chromium package, then Playwright's own installer. Fast and silent when one is already there;
# exits non-zero with one line on stderr when none can be found or installed.
# Usage: CHROME_PATH="$(scripts/ensure-chromium.sh)"
set -u

PYTHON="${PYTHON:-python3}"

found() {
    printf '%s\n' "$1"
    exit 0
}

if [ -n "${CHROME_PATH:-}" ] && [ -x "$CHROME_PATH" ]; then
    found "$CHROME_PATH"
fi
if [ -x /usr/bin/chromium ]; then
    found /usr/bin/chromium
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: installing Debian's chromium with apt-get (about 30 s) ..." >&2
    if apt-get update -qq >/dev/null 2>&1 \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
        && [ -x /usr/bin/chromium ]; then
        found /usr/bin/chromium
    fi
    echo "ensure-chromium: apt-get could not install chromium; trying Playwright's installer" >&2
fi

# Playwright's own download (needs network access to its CDN); then ask Playwright where it is.
if "$PYTHON" -m playwright install chromium >/dev/null 2>&1; then
    path="$("$PYTHON" - <<'PY' 2>/dev/null
from playwright.sync_api import sync_playwright
with sync_playwright() as p:
    print(p.chromium.executable_path)
PY
)"
    if [ -n "$path" ] && [ -x "$path" ]; then
        found "$path"
    fi
fi

echo "ensure-chromium: no Chromium found (set CHROME_PATH, or install Debian's chromium as root: apt-get install chromium)" >&2
exit 1
