"""Batch speed: the issue 17 targets, each a ratio measured in one run, beside the machine's load.

    python3 benchmarks/bench_batch.py                  # 1,000 deals, 3 runs of each (about 10 minutes here)
    python3 benchmarks/bench_batch.py --deals 200 --repeat 1

It generates N varied deals (the seven examples with their ids, counterparties,
amounts, dates and red flags varied) and measures, run after run interleaved so that
each ratio compares figures taken under the same load:

(a) naive   the loop a user would write with docxtpl, for each annex: load
            templates/annex.docx, render, save.  Its contexts are built in
            advance and not timed, so (a) is the cheapest the naive loop can be.
(b) annexes ``clausegen batch DIR -o OUT --documents annex --force`` as a
            subprocess, with 1 and with 2 workers: reading and validating each
            deal, screening, selection, composition, rendering, the register,
            the manifest; interpreter start-up included (its bytecode kept in a
            temporary folder, PYTHONPYCACHEPREFIX, as an installed package has it
            even where PYTHONDONTWRITEBYTECODE is set; an untimed run fills it).
(c) packs   ``clausegen batch DIR -o OUT --force`` (the screening report, the
            annex and the letters of every deal), with 1 and with 2 workers.
(d) floor   writing the same annexes, at the same paths, from bytes prepared in
            advance, the way clausegen writes them (temporary file, rename; one sync).

Targets: (b) with 2 workers >= 8x faster than (a), annex for annex; (c) with 2 workers
>= 1.6x the throughput of (c) with 1 worker.  Both annexes' total sizes are printed too.
Blocked deals get no annex, so (a), (b) and (d) are per annex written.  The 2-worker
figures need two idle cores: the load average is printed before and after each run.

Every run's output is kept until all runs are done, as a user keeps theirs.  Deleting each
run's output before the next (what this benchmark did until 4 December 2026, and does again
with --delete-between) made the next run pay for it on a filesystem without a journal, like
this machine's: ext4 then skips, one by one, each inode deleted in the last minute or so when it
allocates one (``recently_deleted`` in fs/ext4/ialloc.c), and a batch allocates two for each
deal (its folder, its file).  The README's Speed section gives the figures.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COMPANY = EXAMPLES / "clausegen.yaml"

NAMES = ["Harbour", "Meridian", "Cedar", "Northwind", "Lotus", "Atlas", "Saffron", "Granite", "Coral", "Zenith"]
KINDS = ["Analytics", "Systems", "Logistics", "Robotics", "Imaging", "Data"]
FORMS = ["Ltd", "LLC", "FZ-LLC", "JSC", "GmbH", "Pte Ltd"]


def make_deals(count: int, folder: Path) -> None:
    """``count`` deal files varied from the examples (deterministic: seeded)."""
    rng = random.Random(20261125)
    examples = {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.yaml"))
                if path.name != "clausegen.yaml"}
    # Most deals go ahead; one in ten is blocked (refused, held, or outside the Declaration).
    allowed = [deal for name, deal in examples.items() if name.split("-")[0] in ("saas", "hardware", "onprem", "weights")]
    blocked = [deal for name, deal in examples.items() if name.split("-")[0] in ("hold", "refuse", "controlled")]
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        pool = blocked if index % 10 == 9 else allowed
        deal = copy.deepcopy(pool[(index // 10) % len(pool)] if pool is blocked else pool[index % len(pool)])
        deal["deal_id"] = f"BENCH-{index:05d}"
        deal["contract"]["number"] = f"B-{index:05d}/2026"
        deal["contract"]["date"] = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        name = f"{rng.choice(NAMES)} {rng.choice(KINDS)} {rng.choice(FORMS)}"
        deal["counterparty"]["name"] = {"en": name}
        deal["counterparty"]["email"] = f"legal{index}@example.com"
        for user in deal.get("end_use", {}).get("end_users", [])[:1]:
            user["name"] = {"en": name}
        if deal.get("payment"):
            deal["payment"]["amount"] = rng.randint(10, 5000) * 1000
        if rng.random() < 0.2:
            deal["red_flags"] = sorted(set(deal.get("red_flags", [])) | {rng.choice([3, 5, 7, 10, 16])})
        (folder / f"{deal['deal_id']}.yaml").write_text(yaml.safe_dump(deal, allow_unicode=True), encoding="utf-8")


def naive_contexts(folder: Path) -> list[tuple[str, dict, object]]:
    """The annex contexts and document properties, built in advance with clausegen itself (not timed)."""
    from clausegen import api, compose, library as lib, render
    from clausegen.selection import select

    library = lib.load_library()
    template = render.compiled_template(ROOT / "templates" / "annex.docx")
    contexts = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == COMPANY.name:  # the company profile, when the folder is examples/
            continue
        deal = api.load_deal(path, COMPANY).deal
        screening = api.screen_deal(deal)
        if not screening.annex_allowed:
            continue
        selected = select(library, "annex", deal, screening)
        rows = compose.compose_rows(selected, deal, screening)
        properties = api._properties(deal, "annex", "Annex", selected, library, template)
        contexts.append((deal.deal_id, compose.annex_context(rows, deal, ("ru", "en")), properties))
    return contexts


def run_naive(contexts: list[tuple[str, dict]], out: Path) -> float:
    from docxtpl import DocxTemplate

    template = ROOT / "templates" / "annex.docx"
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for deal_id, context, _properties in contexts:
        document = DocxTemplate(str(template))
        document.render(context, autoescape=True)
        document.save(str(out / f"{deal_id}-annex.docx"))
    return time.perf_counter() - start


# Runs the command line in a fresh interpreter, through the entry point the ``clausegen`` command runs (its
# collector settings and its freeze on the way out: calling click's ``cli`` instead made the interpreter's last
# collection walk everything, 0.08 s a run), and prints, last, the CPU seconds of the parent and of its
# workers: on a busy machine the wall times say how the machine was shared, these what it cost.
PROBE = """
import resource, sys
from clausegen.cli import main
try:
    main()
except SystemExit as stop:
    if stop.code:
        raise
own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print("cpu", own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime)
"""


def run_clausegen(folder: Path, out: Path, workers: int, register: Path, annex_only: bool,
                  pycache: Path) -> tuple[float, float, float]:
    """Wall time, CPU seconds (parent and workers) and the parent's CPU seconds of one ``clausegen batch``
    (``--documents annex``, or the full pack)."""
    command = [sys.executable, "-c", PROBE, "batch", str(folder), "-o", str(out), "--company", str(COMPANY),
               *(["--documents", "annex"] if annex_only else []), "--force", "--workers", str(workers),
               "--register", str(register)]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"batch failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    _, own, children = completed.stdout.splitlines()[-1].split()
    return elapsed, float(own) + float(children), float(own)


def run_floor(files: list[tuple[str, bytes]], out: Path, atomic: bool) -> float:
    from clausegen.output import flush_all, write_atomic

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for name, data in files:
        if atomic:
            write_atomic(out / name, data, durable=False)
        else:
            (out / name).parent.mkdir(exist_ok=True)
            (out / name).write_bytes(data)
    if atomic:
        flush_all()
    return time.perf_counter() - start


def load() -> float:
    return os.getloadavg()[0]


def folder_bytes(folder: Path, pattern: str) -> int:
    return sum(path.stat().st_size for path in folder.rglob(pattern))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is shown")
    parser.add_argument("--delete-between", action="store_true",
                        help="delete each run's output before the next run (see above), as before 4 December 2026")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clausegen-bench-"))
    try:
        deals = work / "deals"
        make_deals(args.deals, deals)
        contexts = naive_contexts(deals)
        pycache = work / "pycache"
        make_deals(10, work / "few")  # the untimed run that writes the bytecode
        run_clausegen(work / "few", work / "few-out", 2, work / "few.sqlite", annex_only=False, pycache=pycache)
        annexes = len(contexts)
        print(f"{args.deals} deals, {annexes} annexes (the others are blocked by screening); "
              f"{os.cpu_count()} CPUs; median of {args.repeat} runs; each run's output "
              f"{'deleted before the next' if args.delete_between else 'kept until the end'}")
        names = ("naive", "annex-1", "annex-2", "packs-1", "packs-2", "floor")
        times: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        parent: dict[str, list[float]] = {name: [] for name in names}  # the parent's share of cpu (clausegen)
        loads: dict[str, list[float]] = {name: [] for name in names}
        sizes: dict[str, int] = {}
        produced: list[tuple[str, bytes]] = []
        for run in range(args.repeat):
            for name in names:
                before = load()
                out = work / f"{name}-{run}"
                if name == "naive":
                    started = time.process_time()
                    elapsed = run_naive(contexts, out)
                    cpu[name].append(time.process_time() - started)
                    sizes["naive"] = folder_bytes(out, "*-annex.docx")
                elif name.startswith("annex"):
                    elapsed, seconds, own = run_clausegen(deals, out, int(name[-1]),
                                                          work / f"register-{name}-{run}.sqlite", annex_only=True,
                                                          pycache=pycache)
                    cpu[name].append(seconds)
                    parent[name].append(own)
                    sizes["clausegen"] = folder_bytes(out, "*-annex.docx")
                    if not produced:  # the floor writes these bytes
                        produced = [(str(path.relative_to(out)), path.read_bytes())
                                    for path in sorted(out.rglob("*-annex.docx"))]
                elif name.startswith("packs"):
                    elapsed, seconds, own = run_clausegen(deals, out, int(name[-1]),
                                                          work / f"register-{name}-{run}.sqlite", annex_only=False,
                                                          pycache=pycache)
                    cpu[name].append(seconds)
                    parent[name].append(own)
                else:
                    elapsed = run_floor(produced, out, atomic=True)
                times[name].append(elapsed)
                loads[name].append(max(before, load()))
                if args.delete_between:
                    shutil.rmtree(out, ignore_errors=True)
        median = {name: statistics.median(values) for name, values in times.items()}
        labels = {
            "naive": "(a) naive docxtpl loop: load, render, save",
            "annex-1": "(b) clausegen batch --documents annex, 1 worker",
            "annex-2": "(b) clausegen batch --documents annex, 2 workers",
            "packs-1": "(c) clausegen batch (full packs), 1 worker",
            "packs-2": "(c) clausegen batch (full packs), 2 workers",
            "floor": "(d) floor: the same annexes' bytes, written",
        }
        print(f"{'':52} {'ms/deal':>8} {'total s':>8} {'CPU s':>6} {'parent':>6} {'load':>5}")
        for name, label in labels.items():
            count = args.deals if name.startswith("packs") else annexes
            seconds = f"{statistics.median(cpu[name]):6.2f}" if cpu[name] else f"{'':6}"
            own = f"{statistics.median(parent[name]):6.2f}" if parent[name] else f"{'':6}"
            print(f"{label:52} {median[name] / count * 1000:8.2f} {median[name]:8.2f} {seconds} {own} "
                  f"{max(loads[name]):5.2f}")
        print()
        print(f"annex sizes: naive docxtpl {sizes['naive']:,} bytes, clausegen {sizes['clausegen']:,} bytes "
              f"({sizes['clausegen'] / sizes['naive']:.3f}x) for the same {annexes} annexes")
        speed = median["naive"] / median["annex-2"]
        scale = median["packs-1"] / median["packs-2"]
        print(f"annexes, 2 workers: {speed:5.2f}x faster than the naive loop (target >= 8x: "
              f"{'met' if speed >= 8 else 'not met'}); 1 worker: {median['naive'] / median['annex-1']:.2f}x")
        print(f"full packs, 2 workers: {scale:5.2f}x the throughput of 1 worker (target >= 1.6x: "
              f"{'met' if scale >= 1.6 else 'not met'}); annexes only: {median['annex-1'] / median['annex-2']:.2f}x")
        print(f"highest load average during the runs: {max(max(v) for v in loads.values()):.2f} "
              f"(the 2-worker figures need two idle cores; CPU s is the parent's and its workers' CPU time, "
              f"parent the parent's alone: with workers, what does not run in parallel is part of it)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
