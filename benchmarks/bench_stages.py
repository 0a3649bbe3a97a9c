"""Where a batch's time goes: the CPU of each stage a deal passes through, per deal, and of the start-up.

    python3 benchmarks/bench_stages.py                     # 300 varied deals, annexes only
    python3 benchmarks/bench_stages.py --deals 300 --documents report,annex,letters

The deals are bench_batch's (the seven examples varied).  The stages are those a batch worker runs
for each deal (clausegen/batch.py ``_generate``), called here one after the other in one process, in
the batch's order, so each is timed with the caches as warm or as cold as the batch has them; the
files are staged as the batch stages them, into a temporary folder.  The start-up is timed in a fresh
interpreter: ``clausegen batch`` of a single deal, less the CPU of that deal.

CPU seconds (time.process_time), not wall time: the machine may be shared.  The total per deal is what a
1-worker batch spends in its loop; the register's insert and the manifest (the parent's work) are not in it.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import bench_batch  # noqa: E402  (the deals, and the probe that runs the command line)

COMPANY = ROOT / "examples" / "clausegen.yaml"


def startup_cpu(deal: Path, work: Path, parts: str) -> float:
    """The CPU seconds of ``clausegen batch`` of one deal, 1 worker, with a register (interpreter included)."""
    folder = work / "one"
    folder.mkdir()
    shutil.copy(deal, folder / deal.name)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    best = float("inf")
    for run in range(3):  # the first writes the caches; the least of the others
        out = work / f"one-out-{run}"
        completed = subprocess.run([sys.executable, "-c", bench_batch.PROBE, "batch", str(folder), "-o", str(out), "--company",
                                    str(COMPANY), "--documents", parts, "--force", "--workers", "1", "--register",
                                    str(work / f"one-{run}.sqlite")], capture_output=True, text=True, env=env,
                                   check=True)
        if run:
            _, own, _workers = completed.stdout.splitlines()[-1].split()  # bench_batch's probe: cpu, own, workers
            best = min(best, float(own))
    return best


def stages(files: list[Path], out: Path, parts: tuple[str, ...]) -> tuple[Counter[str], int]:
    """CPU seconds of each stage, summed over the deals, and how many deals."""
    from clausegen import api, batch, checkrecord, library as lib
    from clausegen.register import prepare_row
    from clausegen.sources import read_file
    from clausegen.validation import validate_deal, validate_profile

    profile_record = api.profile_record(COMPANY)
    profile = validate_profile(profile_record)
    library = lib.load_library()
    batch._warm_up(library, lib.templates_dir(None), parts)
    user = checkrecord.current_user(None)
    spent: Counter[str] = Counter()
    clock = time.process_time
    gc.freeze()  # as the batch: what the run loaded is out of the collector's sight
    for path in files:
        start = clock()
        record = read_file(path)
        now = clock(); spent["read the deal file"] += now - start; start = now
        validated = validate_deal(record, profile, profile_record=profile_record)
        warnings = [str(w) for w in validated.warnings]  # noqa: F841  (the batch keeps them)
        now = clock(); spent["validate (warnings included)"] += now - start; start = now
        screening = api.screen_deal(validated.deal)
        now = clock(); spent["screen"] += now - start; start = now
        check = checkrecord.resolve(validated.deal, user=user)
        key = api.inputs_key(validated.deal, screening, library, None, parts, check)  # noqa: F841
        now = clock(); spent["inputs_key (selection included)"] += now - start; start = now
        documents = api.build_documents(validated.deal, screening, library, None, parts, check)
        now = clock(); spent["build the documents"] += now - start; start = now
        for document in documents:
            batch.discard(batch._stage(out / validated.deal.deal_id / document.filename, document.data))
        now = clock(); spent["stage the files"] += now - start; start = now
        if documents:
            prepare_row(api.register_row(validated.deal, screening, documents, command="batch", source=str(path),
                                         files={d.kind: d.filename for d in documents}, check=check))
        now = clock(); spent["the register row (made, encoded)"] += now - start
    gc.unfreeze()
    return spent, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=300)
    parser.add_argument("--documents", default="annex", help="report, annex, letters (comma-separated)")
    args = parser.parse_args()
    parts = tuple(part for part in ("report", "annex", "letters") if part in args.documents.split(","))
    work = Path(tempfile.mkdtemp(prefix="clausegen-stages-"))
    try:
        bench_batch.make_deals(args.deals, work / "deals")
        files = sorted((work / "deals").glob("*.yaml"))
        spent, count = stages(files, work / "out", parts)
        per_deal = sum(spent.values()) / count
        started = startup_cpu(files[0], work, ",".join(parts))
        print(f"{count} deals, documents {','.join(parts)}; load average {os.getloadavg()[0]:.2f}")
        print(f"{'stage':40} {'ms/deal':>8} {'share':>6}")
        for name, seconds in spent.items():
            print(f"{name:40} {seconds / count * 1000:8.2f} {seconds / count / per_deal:6.1%}")
        print(f"{'total per deal':40} {per_deal * 1000:8.2f}")
        print(f"start-up (a 1-deal batch less its deal): {max(0.0, started - per_deal):.2f} s CPU, "
              f"{max(0.0, started - per_deal) / count * 1000:.2f} ms/deal over {count} deals")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
