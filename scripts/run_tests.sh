#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite (unit, AppTest, real browser).
# Usage: bash scripts/run_tests.sh [extra pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

# Real-browser tests drive Debian's Chromium (playwright's own browser download is not used).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "Installing Debian's chromium for the browser tests..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .

export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
python -m pytest "$@"
