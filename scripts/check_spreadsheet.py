#!/usr/bin/env python3
"""Checks that LibreOffice read a capsim CSV as intended.

Usage: check_spreadsheet.py FILE.csv FILE.ods

FILE.ods is FILE.csv converted by LibreOffice Calc (scripts/check-spreadsheet.sh).
Every cell must arrive as the type a spreadsheet user expects:
  - `metric`, `outcome`, `unit`: text, unchanged;
  - `month`, `period_end` and every `*_month` column (summary.csv's
    calendar months of month outcomes): a date in that month, or the text
    YYYY-MM unchanged (an empty cell where the CSV cell is empty);
  - every statistic column (mean, std_dev, std_error, p*, trials): a number
    equal to the CSV value (or an empty cell where the CSV cell is empty),
    never text and never a date.
Standard library only. Exit status 0 if all cells pass, 1 otherwise.
"""

import csv
import math
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
TEXT_COLUMNS = {"metric", "outcome", "unit"}
MONTH = re.compile(r"^\d{4}-\d{2}$")


def is_month_column(name):
    return name in ("month", "period_end") or name.endswith("_month")


def q(prefix, name):
    return "{%s}%s" % (NS[prefix], name)


def ods_rows(path):
    """The first sheet as a list of rows of (type, value, text) cells."""
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("content.xml"))
    table = root.find(".//table:table", NS)
    rows = []
    for row in table.iter(q("table", "table-row")):
        cells = []
        for cell in row:
            if cell.tag not in (q("table", "table-cell"), q("table", "covered-table-cell")):
                continue
            repeat = int(cell.get(q("table", "number-columns-repeated"), "1"))
            kind = cell.get(q("office", "value-type"))
            if kind == "float" or kind == "percentage" or kind == "currency":
                value = cell.get(q("office", "value"))
            elif kind == "date":
                value = cell.get(q("office", "date-value"))
            else:
                value = None
            text = "".join("".join(p.itertext()) for p in cell.findall("text:p", NS))
            cells.extend([(kind, value, text)] * min(repeat, 1000))
        # Trailing empty cells (LibreOffice pads rows to the sheet width).
        while cells and cells[-1][0] is None and cells[-1][2] == "":
            cells.pop()
        repeat = int(row.get(q("table", "number-rows-repeated"), "1"))
        if not cells:
            continue
        rows.extend([cells] * min(repeat, 100000))
    return rows


def main(csv_path, ods_path):
    with open(csv_path, newline="", encoding="utf-8") as f:
        expected = list(csv.reader(f))
    got = ods_rows(ods_path)
    problems = []

    def bad(r, c, msg):
        if len(problems) < 20:
            problems.append(f"{csv_path}: row {r + 1}, column {expected[0][c]!r}: {msg}")
        else:
            problems.append(None)

    if len(got) != len(expected):
        print(f"{csv_path}: {len(expected)} rows in the CSV, {len(got)} in the spreadsheet")
        return 1
    header = expected[0]
    checked = {"number": 0, "text": 0, "month": 0, "empty": 0}
    for r, (want, have) in enumerate(zip(expected, got)):
        have = have + [(None, None, "")] * (len(want) - len(have))
        if len(have) > len(want):
            bad(r, 0, f"{len(have)} cells, expected {len(want)}")
            continue
        for c, (cell, (kind, value, text)) in enumerate(zip(want, have)):
            name = header[c]
            if r == 0 or name in TEXT_COLUMNS:
                if kind not in (None, "string") or text != cell:
                    bad(r, c, f"expected the text {cell!r}, got {kind} {value or text!r}")
                checked["text"] += 1
            elif is_month_column(name) and cell == "":
                if kind is not None or text != "":
                    bad(r, c, f"expected an empty cell, got {kind} {value or text!r}")
                checked["empty"] += 1
            elif is_month_column(name):
                if kind == "date":
                    ok = value is not None and value.startswith(cell)
                elif kind in (None, "string"):
                    ok = text == cell and MONTH.match(cell) is not None
                else:
                    ok = False
                if not ok:
                    bad(r, c, f"expected the month {cell!r} as a date or text, got {kind} {value or text!r}")
                checked["month"] += 1
            elif cell == "":
                if kind is not None or text != "":
                    bad(r, c, f"expected an empty cell, got {kind} {value or text!r}")
                checked["empty"] += 1
            else:
                try:
                    want_num = float(cell)
                except ValueError:
                    bad(r, c, f"the CSV cell {cell!r} is not a plain number")
                    continue
                if kind != "float":
                    bad(r, c, f"expected the number {cell}, got {kind or 'text'} {value or text!r}")
                elif not math.isclose(float(value), want_num, rel_tol=1e-12, abs_tol=1e-12):
                    bad(r, c, f"expected {cell}, got {value}")
                checked["number"] += 1
    problems_shown = [p for p in problems if p]
    for p in problems_shown:
        print(p)
    if len(problems) > len(problems_shown):
        print(f"... and {len(problems) - len(problems_shown)} more")
    if problems:
        return 1
    print(
        f"{csv_path}: ok: {len(expected) - 1} rows; {checked['number']} numbers, "
        f"{checked['month']} months, {checked['text']} text cells, {checked['empty']} empty cells"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
