"""Batch speed: clausegen batch against the naive docxtpl loop and the I/O floor, in one run.

    python3 benchmarks/bench_batch.py            # 1,000 deals (about 2 minutes here)
    python3 benchmarks/bench_batch.py --deals 200 --repeat 1

It generates N varied deals (the seven examples with their ids, counterparties,
amounts, dates and red flags varied) and measures, on the same templates, with
the same machine load:

(a) naive   the loop a user would write with docxtpl, for each deal: load
            templates/annex.docx, render, save.  Its contexts are built in
            advance and not timed, so (a) is the cheapest the naive loop can be.
(b) batch   ``clausegen batch DIR -o OUT --documents annex --force`` as a
            subprocess, with 1 and with 2 workers: reading and validating each
            deal, screening, selection, composition, rendering, the register,
            the manifest; interpreter start-up included.
    engine  clausegen's renderer alone on (a)'s prepared contexts (the like-for-like
            comparison with (a): compiled once, unchanged parts kept compressed).
(c) floor   writing the same annexes, at the same paths (``OUT/<deal_id>/``, the
            folders included), from bytes prepared in advance, the way clausegen
            writes them (temporary file, rename; then one sync), and, for
            reference, plain writes.

Blocked deals get no annex, so every figure is per annex written.  It prints
wall-clock figures and their ratios, and the peak memory of a batch of N/10
and of N deals (it should not grow with N).  The machine is shared: run it
twice and read the ratios, not the absolute figures.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import resource
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


def run_engine(contexts: list[tuple[str, dict, object]], out: Path) -> float:
    """clausegen's renderer alone on the same prepared contexts: the like-for-like comparison with (a)."""
    from clausegen import render
    from clausegen.output import flush_all, write_atomic

    template = render.compiled_template(ROOT / "templates" / "annex.docx")
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for deal_id, context, properties in contexts:
        write_atomic(out / f"{deal_id}-annex.docx", template.render(context, properties), durable=False)
    flush_all()
    return time.perf_counter() - start


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


def run_batch(folder: Path, out: Path, workers: int, register: Path) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one ``clausegen batch`` process."""
    command = [sys.executable, "-m", "clausegen", "batch", str(folder), "-o", str(out), "--company", str(COMPANY),
               "--documents", "annex", "--force", "--workers", str(workers), "--register", str(register)]
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"batch failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


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


def peak_memory(folder: Path, work: Path) -> int:
    """Peak RSS (KiB) of a fresh ``clausegen batch`` over ``folder``, measured by a child that runs alone."""
    code = ("import resource,subprocess,sys;subprocess.run(sys.argv[1:],check=True,capture_output=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    command = [sys.executable, "-c", code, sys.executable, "-m", "clausegen", "batch", str(folder), "-o",
               str(work / "out"), "--company", str(COMPANY), "--documents", "annex", "--force",
               "--register", str(work / "register.sqlite")]
    return int(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the median is shown")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clausegen-bench-"))
    try:
        deals = work / "deals"
        make_deals(args.deals, deals)
        contexts = naive_contexts(deals)
        annexes = len(contexts)
        print(f"{args.deals} deals, {annexes} annexes (the others are blocked by screening); "
              f"{os.cpu_count()} CPUs; median of {args.repeat} runs")

        times: dict[str, list[float]] = {name: [] for name in
                                         ("naive", "engine", "batch-1", "batch-2", "floor-atomic", "floor-plain")}
        for run in range(args.repeat):
            times["naive"].append(run_naive(contexts, work / f"naive-{run}"))
            times["engine"].append(run_engine(contexts, work / f"engine-{run}"))
            for workers in (1, 2):
                out = work / f"batch-{workers}-{run}"
                times[f"batch-{workers}"].append(run_batch(deals, out, workers, work / f"register-{run}.sqlite")[0])
            first = work / "batch-1-0"
            produced = [(str(path.relative_to(first)), path.read_bytes()) for path in sorted(first.rglob("*-annex.docx"))]
            times["floor-atomic"].append(run_floor(produced, work / f"floor-a-{run}", atomic=True))
            times["floor-plain"].append(run_floor(produced, work / f"floor-p-{run}", atomic=False))
        per = {name: statistics.median(values) / annexes * 1000 for name, values in times.items()}

        labels = {
            "naive": "(a) naive docxtpl loop: load, render, save",
            "engine": "    clausegen's renderer on the same contexts",
            "batch-1": "(b) clausegen batch, 1 worker",
            "batch-2": "(b) clausegen batch, 2 workers",
            "floor-atomic": "(c) floor: same bytes, written as clausegen writes",
            "floor-plain": "    floor: same bytes, plain writes",
        }
        print(f"{'':52} {'ms/annex':>9} {'total s':>8}")
        for name, label in labels.items():
            print(f"{label:52} {per[name]:9.2f} {statistics.median(times[name]):8.2f}")
        print()
        print(f"renderer on the same contexts: {per['naive'] / per['engine']:5.1f}x faster than naive; "
              f"{per['engine'] / per['floor-atomic']:5.1f}x the floor")
        for workers in (1, 2):
            batch = per[f"batch-{workers}"]
            print(f"batch, {workers} worker{'s' if workers > 1 else ' '}: {per['naive'] / batch:5.1f}x faster than naive; "
                  f"{batch / per['floor-atomic']:5.1f}x the floor ({batch / per['floor-plain']:.1f}x plain writes)")

        small = work / "deals-small"
        small.mkdir()
        for path in sorted(deals.glob("*.yaml"))[: max(1, args.deals // 10)]:
            shutil.copy(path, small / path.name)
        memory_small = peak_memory(small, work / "memory-small")
        memory_full = peak_memory(deals, work / "memory-full")
        print(f"peak memory of one batch process: {memory_small / 1024:.0f} MiB for {args.deals // 10} deals, "
              f"{memory_full / 1024:.0f} MiB for {args.deals} deals ({memory_full / memory_small:.2f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
