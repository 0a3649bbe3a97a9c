"""CPU per deal of composing an annex, as a batch and as the web server see it.

    python3 benchmarks/bench_compose.py                 # 300 varied deals (bench_batch's), then the web's case
    python3 benchmarks/bench_compose.py --deals 100 --profile /tmp/compose.prof

Deals are read, validated and screened untimed.  After a warm-up (the templates and
clause texts compiled, a few annexes of other deals built), two figures are taken,
each in its own pass over the deals (the memories of earlier results emptied between
passes, so that every pass meets each deal for the first time, as a batch does):

compose  select() + compose_rows() + annex_context(): what decides the text
annex    api.build_annex(): the above, the document template's Jinja, the DOCX

"web" repeats both for examples/saas-clinic-ae.yaml with a new deal_id each time (a
download from the web form).  Figures are CPU milliseconds per deal (process_time).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from clausegen import api, compose, library as lib, render, selection  # noqa: E402

COMPANY = ROOT / "examples" / "clausegen.yaml"


def forget() -> None:
    """Empty the memories of results that depend on the deal, as a fresh batch starts with them."""
    compose._RENDERED.clear()
    compose._NUMBERED.clear()
    selection._SELECTIONS.clear()
    if hasattr(render, "_NAMES_FOUND"):
        render._NAMES_FOUND.clear()
    if hasattr(render, "_words_pattern"):
        render._words_pattern.cache_clear()


def per_deal(work, deals) -> float:
    start = time.process_time()
    for deal, screening in deals:
        work(deal, screening)
    return (time.process_time() - start) * 1000 / len(deals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--profile", help="write a cProfile of one build_annex pass here")
    args = parser.parse_args()

    import bench_batch

    folder = Path(tempfile.mkdtemp(prefix="bench-compose-"))
    bench_batch.make_deals(args.deals, folder)
    library = lib.load_library()
    loaded = [api.load_deal(path, COMPANY).deal for path in sorted(folder.glob("*.yaml"))]
    deals = [(deal, screening) for deal in loaded if (screening := api.screen_deal(deal)).annex_allowed]
    example = api.load_deal(ROOT / "examples" / "saas-clinic-ae.yaml", COMPANY).deal
    web = [(example.model_copy(update={"deal_id": f"WEB-{index:05d}"}), None) for index in range(len(deals))]
    web = [(deal, api.screen_deal(deal)) for deal, _ in web]

    api.warm_up(library, parts=("annex",))
    others = [api.load_deal(path, COMPANY).deal for path in sorted((ROOT / "examples").glob("*.yaml"))
              if path != COMPANY]
    for deal in others:
        screening = api.screen_deal(deal)
        if screening.annex_allowed:
            api.build_annex(deal, screening, library)

    def compose_only(deal, screening):
        selected = selection.select(library, "annex", deal, screening)
        rows = compose.compose_rows(selected, deal, screening)
        compose.annex_context(rows, deal, ("ru", "en"))

    def annex(deal, screening):
        api.build_annex(deal, screening, library)

    print(f"{len(deals)} annexes of {args.deals} varied deals; CPU ms per deal (process_time), "
          f"each pass with the memories emptied")
    for run in range(args.repeat):
        figures = []
        for name, work, pool in (("compose", compose_only, deals), ("annex", annex, deals),
                                 ("web compose", compose_only, web), ("web annex", annex, web)):
            forget()
            figures.append(f"{name} {per_deal(work, pool):6.2f}")
        print(f"run {run + 1}: " + "   ".join(figures), flush=True)
    if args.profile:
        import cProfile

        forget()
        profiler = cProfile.Profile()
        profiler.enable()
        per_deal(annex, deals)
        profiler.disable()
        profiler.dump_stats(args.profile)
        print(f"profile of one annex pass: {args.profile}")


if __name__ == "__main__":
    main()
