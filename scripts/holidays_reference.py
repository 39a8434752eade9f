#!/usr/bin/env python3
"""Reference holidays for the cross-check test (functions/core/tests/it/holiday_crosscheck.rs).

Prints one line per statewide public holiday of every German state, 1991-2100, from the PyPI
package `holidays` (category PUBLIC only): "STATE<TAB>YYYY-MM-DD<TAB>name". The package is an
independent implementation of the same laws; the test compares it with fallwerk's own table.
Installed by scripts/test.sh (pip) when missing.
"""
import sys

import holidays

STATES = ["BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH"]


def main() -> int:
    years = range(1991, 2101)
    out = sys.stdout
    out.write(f"# holidays {holidays.__version__}\n")
    for state in STATES:
        cal = holidays.country_holidays("DE", subdiv=state, years=years, language="de")
        for day, name in sorted(cal.items()):
            out.write(f"{state}\t{day.isoformat()}\t{name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
