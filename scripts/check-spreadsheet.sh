#!/usr/bin/env bash
# Opens a run's CSV files (timeseries, summary, wide/*) in LibreOffice Calc (headless) and checks that every
# statistic arrives as a number and every month as a date or YYYY-MM text.
#
# Usage: scripts/check-spreadsheet.sh RUN_DIR
#   RUN_DIR is a run folder such as output/openai-2025 (with timeseries.csv
#   and summary.csv). Needs `soffice` (Debian: libreoffice-calc; see
#   scripts/install-test-deps.sh) and python3.
#
# The CSVs are imported the way a user opening them would get: comma
# separated, double quotes, UTF-8, English (US) number format, converted to
# OpenDocument (.ods), whose cells carry explicit types that
# scripts/check_spreadsheet.py compares with the CSV text.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 RUN_DIR" >&2
    exit 2
fi
run_dir=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v soffice >/dev/null || { echo "check-spreadsheet: soffice not found (run scripts/install-test-deps.sh)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
# timeseries.csv, summary.csv and every wide/<metric>.csv, converted in one
# LibreOffice start (wide file names differ from the two tables').
csvs=("$run_dir/timeseries.csv" "$run_dir/summary.csv")
for csv in "${csvs[@]}"; do
    [ -s "$csv" ] || { echo "check-spreadsheet: $csv missing" >&2; exit 1; }
done
shopt -s nullglob
csvs+=("$run_dir"/wide/*.csv)
[ ${#csvs[@]} -gt 2 ] || { echo "check-spreadsheet: $run_dir/wide/*.csv missing" >&2; exit 1; }
# CSV filter options: separator 44 (,), text delimiter 34 ("), charset 76
# (UTF-8), first line 1, default column formats, language 1033 (en-US).
# A private profile keeps the run independent of any user settings.
soffice --headless --norestore -env:UserInstallation="file://$work/profile" \
    --infilter="CSV:44,34,76,1,,1033" --convert-to ods --outdir "$work" "${csvs[@]}" >"$work/soffice.log" 2>&1 \
    || { cat "$work/soffice.log" >&2; exit 1; }
for csv in "${csvs[@]}"; do
    name=$(basename "$csv" .csv)
    [ -s "$work/$name.ods" ] || { echo "check-spreadsheet: LibreOffice wrote no $name.ods" >&2; cat "$work/soffice.log" >&2; exit 1; }
    python3 "$here/check_spreadsheet.py" "$csv" "$work/$name.ods" || status=1
done
exit $status
