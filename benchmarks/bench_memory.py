"""Parent memory of `clausegen batch` on a CSV of 1,000 rows against 100,000 rows, in one run.

    python3 benchmarks/bench_memory.py                   # 1,000 and 100,000 rows (the large run takes minutes)
    python3 benchmarks/bench_memory.py --rows 20000      # a quicker look

The rows are the example deals of examples/deals.csv, repeated with new deal ids and contract
numbers (written to a temporary folder).  Each size runs ``clausegen batch deals.csv -o OUT
--documents annex --workers 2`` with a register, in a fresh interpreter that reports its own
peak resident memory (``ru_maxrss`` of the parent alone: the two workers are other processes).
The target (issue 17): the parent at 100,000 rows takes no more than 1.5x its memory at 1,000.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COMPANY = EXAMPLES / "clausegen.yaml"

# Runs the command line in this interpreter and prints the parent's own peak memory (KiB) last.
PROBE = """
import resource, sys
from clausegen.cli import cli
try:
    cli(sys.argv[1:], prog_name="clausegen")
except SystemExit as stop:
    if stop.code:
        raise
print("parent-maxrss-kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def make_csv(rows: int, path: Path) -> None:
    """``rows`` deals: the examples' rows again and again, each with its own deal id and contract number
    (an offer's row, with no contract yet, keeps none)."""
    with (EXAMPLES / "deals.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *examples = list(csv.reader(handle))
    deal_id, number = header.index("deal_id"), header.index("contract.number")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for index in range(rows):
            row = list(examples[index % len(examples)])
            row[deal_id] = f"MEM-{index:06d}"
            if row[number]:  # an offer's row has no contract yet: a number without a date would fail it
                row[number] = f"M-{index:06d}/2026"
            writer.writerow(row)


def parent_peak(source: Path, work: Path, workers: int) -> tuple[int, float, str]:
    """The parent's peak RSS (KiB), the wall time, and the summary line of one batch."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-c", PROBE, "batch", str(source), "-o", str(work / "out"), "--company", str(COMPANY),
               "--documents", "annex", "--workers", str(workers), "--register", str(work / "register.sqlite")]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or "parent-maxrss-kib" not in done.stdout:
        sys.exit(f"batch failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    lines = done.stdout.splitlines()
    summary = next(line for line in lines if " deals: " in line)
    return int(lines[-1].split()[-1]), elapsed, summary


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clausegen-memory-"))
    try:
        peaks = {}
        for rows in (args.small, args.rows):
            folder = work / str(rows)
            folder.mkdir()
            make_csv(rows, folder / "deals.csv")
            size = (folder / "deals.csv").stat().st_size
            print(f"{rows:>7} rows ({size / 2**20:.1f} MiB CSV): {load()} at the start", flush=True)
            peak, elapsed, summary = parent_peak(folder / "deals.csv", folder, args.workers)
            peaks[rows] = peak
            print(f"        parent peak {peak / 1024:.0f} MiB, {elapsed:.0f} s; {summary}", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
        ratio = peaks[args.rows] / peaks[args.small]
        print(f"parent memory at {args.rows:,} rows / at {args.small:,} rows: {ratio:.2f}x "
              f"(target <= 1.50x: {'met' if ratio <= 1.5 else 'not met'}); {load()} at the end")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
