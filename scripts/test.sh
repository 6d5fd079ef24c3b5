#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's chromium for the browser tests), then runs them all.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
fi
python -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-dev.txt
python -m pytest "$@"
