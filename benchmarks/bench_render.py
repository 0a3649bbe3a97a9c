"""Render speed (issues 15 and 17): the warm cost of one document, in one process, beside a baseline.

    python3 benchmarks/bench_render.py                       # 4 examples, 15 runs of each
    python3 benchmarks/bench_render.py --runs 31 saas-clinic-ae

For each example the deal is read, validated and screened once (not timed); then
each document it gets (the annex when allowed, each letter its screening allows, in
both languages, and the screening report) is built again and again from the deal,
the screening and the loaded library, after two warm-up builds: selection,
composition, rendering and packing, as ``clausegen pack`` does for a document.

The baseline, timed in the same runs and interleaved with them (each ratio compares
medians taken under the same load), is the naive docxtpl render of the same template
with the same context, built in advance and not timed: load the template, render
with autoescape, save to memory.  It leaves out what clausegen adds (non-breaking
spaces, quotes, names kept whole, the check that the XML is well-formed, fixed zip
timestamps), so it is the least the naive way can cost.

Figures are milliseconds per document, the median of the runs: CPU time of this process
(what a document costs, which other work on the machine stretches little) and wall time
(which it stretches as much as it takes the cores away); the load average is printed.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "examples"
COMPANY = EXAMPLES / "clausegen.yaml"
DEFAULT = ("saas-clinic-ae", "onprem-logistics-kz", "hold-vision-tr", "offer-ocr-bank-uz")


def jobs(example: str) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """(document kind, clausegen's build, the naive docxtpl render) for each document of ``example``."""
    from docxtpl import DocxTemplate

    from clausegen import api, checkrecord, compose, library as lib, memo
    from clausegen import __version__
    from clausegen.selection import select

    library = lib.load_library()
    templates = lib.templates_dir(None)
    deal = api.load_deal(EXAMPLES / f"{example}.yaml", COMPANY).deal
    screening = api.screen_deal(deal)

    def naive(template: Path, context: dict[str, Any]) -> Callable[[], bytes]:
        def run() -> bytes:
            document = DocxTemplate(str(template))
            document.render(context, autoescape=True)
            out = io.BytesIO()
            document.save(out)
            return out.getvalue()
        return run

    found: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = []
    annex = select(library, "annex", deal, screening) if screening.annex_allowed else []
    if screening.annex_allowed:
        rows = compose.compose_rows(annex, deal, screening)
        found.append(("annex", lambda: api.build_annex(deal, screening, library),
                      naive(templates / "annex.docx", compose.annex_context(rows, deal, ("ru", "en")))))
    for kind in screening.letters_allowed():
        selected = select(library, kind, deal, screening)
        rows = compose.compose_rows(selected, deal, screening, annex)
        template = api.letter_template(kind, None, ("ru", "en")).path
        found.append((kind, lambda kind=kind: api.build_letter(kind, deal, screening, library),
                      naive(template, compose.letter_context(kind, rows, deal, ("ru", "en")))))
    check = checkrecord.resolve(deal)
    context = memo.report_context(deal, screening, annex, check, library=library.fingerprint, template="",
                                  version=__version__)
    found.append(("report", lambda: api.build_report(deal, screening, library, check=check),
                  naive(templates / "screening-report.docx", context)))
    return found


def timed(run: Callable[[], Any]) -> tuple[float, float]:
    """CPU and wall seconds of ``run()``, after a full garbage collection (untimed): what the previous
    build left (the naive one makes many objects) is not collected at this one's expense."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("examples", nargs="*", default=list(DEFAULT), help="names of examples/*.yaml")
    parser.add_argument("--runs", type=int, default=15, help="runs of each build; the median is shown")
    args = parser.parse_args()
    table = [(example, kind, ours, naive) for example in args.examples for kind, ours, naive in jobs(example)]
    for _, _, ours, naive in table:  # warm: compiled templates, caches, the morphology's dictionaries
        ours(), ours(), naive()
    times: dict[int, tuple[list[tuple[float, float]], list[tuple[float, float]]]] = {
        index: ([], []) for index in range(len(table))}
    loads = [os.getloadavg()[0]]
    for _ in range(args.runs):
        for index, (_, _, ours, naive) in enumerate(table):
            times[index][0].append(timed(ours))
            times[index][1].append(timed(naive))
        loads.append(os.getloadavg()[0])
    print(f"warm ms per document, median of {args.runs} runs (CPU, and wall in brackets); baseline: naive "
          f"docxtpl render of the same template and context")
    print(f"{'example':24} {'document':20} {'clausegen':>17} {'docxtpl':>17} {'ratio':>6}")
    by_kind: dict[str, list[float]] = {}
    for index, (example, kind, _, _) in enumerate(table):
        (ours, ours_wall), (naive, naive_wall) = (
            [statistics.median(run[part] for run in values) * 1000 for part in (0, 1)] for values in times[index])
        by_kind.setdefault(kind if kind in ("annex", "report") else "letter", []).append(ours)
        print(f"{example:24} {kind:20} {ours:7.2f} ({ours_wall:7.2f}) {naive:7.2f} ({naive_wall:7.2f}) "
              f"{naive / ours:5.1f}x")
    print("CPU ms, median over the examples: " + ", ".join(f"{kind} {statistics.median(values):.2f}"
                                                          for kind, values in sorted(by_kind.items())))
    print(f"load average during the runs: {min(loads):.2f} to {max(loads):.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
