#!/usr/bin/env bash
# Installs the system programs the browser and spreadsheet checks need:
# headless Chromium (tests/report.rs renders report.html) and LibreOffice
# Calc (scripts/check-spreadsheet.sh opens the CSVs). Debian or Ubuntu, run
# as root (or with passwordless sudo). Safe to run again: it does nothing when
# both are already installed.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have soffice && have python3; then
    echo "install-test-deps: chromium, soffice and python3 already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if have sudo; then SUDO="sudo"; else
        echo "install-test-deps: need root (or sudo) to run apt-get" >&2
        exit 1
    fi
fi
if ! have apt-get; then
    echo "install-test-deps: apt-get not found; install chromium and libreoffice-calc by hand" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# --no-install-recommends keeps LibreOffice to Calc and its core (no Java, no
# GUI extras); fonts-dejavu-core gives Chromium a font to draw the report with.
$SUDO apt-get install -y -qq --no-install-recommends \
    chromium libreoffice-calc fonts-dejavu-core python3 >/dev/null
echo "install-test-deps: installed $(chromium --version 2>/dev/null | head -1); $(soffice --version 2>/dev/null | head -1)"
