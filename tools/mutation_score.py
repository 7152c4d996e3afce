"""The mutation score of the last `mutmut run` (what `make mutation` prints at the end).

Reads `mutmut results --all true` (one "<mutant>: <status>" line per mutant) and prints, per
mutated module and in total, how many mutants the unit tests killed.  A mutant that times out
counts as killed (the suite did not pass with it); "no tests" and "survived" count against the
score.  Exit status 0 (a report, not a gate), unless --fail-under PERCENT is given and the
total score is below it.  `mutmut results` lists the survivors; `mutmut show NAME` shows one.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

DETECTED = {"killed", "timeout", "caught by type check"}
LINE = re.compile(r"^\s*(?P<module>[\w.]+?)\.x[_ǁ]\S*: (?P<status>.+?)\s*$")


def read_results(mutmut: str) -> dict[str, Counter]:
    out = subprocess.run([mutmut, "results", "--all", "true"], check=True, text=True,
                         stdout=subprocess.PIPE).stdout
    by_module: dict[str, Counter] = defaultdict(Counter)
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            by_module[m["module"]][m["status"]] += 1
    return by_module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fail-under", type=float, default=None, metavar="PERCENT",
                        help="exit 1 when the total score is below PERCENT")
    parser.add_argument("--seconds", type=float, default=None,
                        help="wall time of the run, printed with the score")
    parser.add_argument("--mutmut", default=str(Path(sys.executable).with_name("mutmut")))
    args = parser.parse_args(argv)

    by_module = read_results(args.mutmut)
    if not by_module:
        print("no mutmut results found: run `make mutation` (or `mutmut run`) first")
        return 1
    total = Counter()
    print(f"\n{'module':<22} {'killed':>7} {'total':>6} {'score':>7}  not killed")
    for module in sorted(by_module):
        counts = by_module[module]
        total += counts
        killed = sum(counts[s] for s in DETECTED)
        n = sum(counts.values())
        rest = ", ".join(f"{c} {s}" for s, c in sorted(counts.items()) if s not in DETECTED)
        print(f"{module:<22} {killed:>7} {n:>6} {100 * killed / n:>6.1f}%  {rest}")
    killed = sum(total[s] for s in DETECTED)
    n = sum(total.values())
    score = 100 * killed / n
    took = f" in {args.seconds / 60:.1f} min" if args.seconds is not None else ""
    print(f"\nmutation score: {killed} / {n} mutants killed, {score:.1f}%{took}")
    if total["timeout"]:
        print(f"({total['timeout']} of them by a timeout)")
    if args.fail_under is not None and score < args.fail_under:
        print(f"below the required {args.fail_under:g}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
