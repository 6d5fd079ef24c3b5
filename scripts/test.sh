#!/usr/bin/env bash
# Runs every test in a virtual environment of its own (.venv/), so nothing installed on the machine by hand
# can hide a missing requirement. The environment is rebuilt whenever a requirements file changes; the Debian
# packages the tests start are installed if missing.
set -euo pipefail
export ILMA_JOBS=off  # the app's job scheduler stays out of the tests (tests/test_jobs.py starts its own)
cd "$(dirname "$0")/.."

# Debian's chromium (browser tests), haproxy (the replicas' balancer) and PostgreSQL's server (the scale-out
# backend's tests start a throwaway one), where missing.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v haproxy > /dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
ls /usr/lib/postgresql/*/bin/pg_ctl > /dev/null 2>&1 || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" > /dev/null
fi

venv=.venv
wanted=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements-sha256" 2>/dev/null)" != "$wanted" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt \
      > "$venv/install.log" 2>&1; then
    cat "$venv/install.log"
    echo "Installing requirements-dev.txt into $venv failed (the log is above)." >&2
    exit 1
  fi
  echo "$wanted" > "$venv/.requirements-sha256"
fi
# A whole run (no arguments) also runs the speed guard: each guarded figure against its raw-SQL baseline on a
# 50,000-submission demo (built once into .bench-cache/), failing on a ratio past its limit (bench/check.py). It
# runs first so that pytest's summary stays the last line; its failure fails the run all the same.
speed=0
if [ "$#" -eq 0 ]; then
  "$venv/bin/python" -m bench --check || speed=$?
fi
tests=0
# Two workers (the machine's two cores), each test file on one worker: a file's tests share its fixtures' servers.
"$venv/bin/python" -m pytest -n "${ILMA_TEST_WORKERS:-2}" --dist loadfile "$@" || tests=$?
if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$speed"
