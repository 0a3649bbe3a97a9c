"""Annex size: clausegen's annex against docxtpl's for the same document, in one run.

    python3 benchmarks/bench_size.py

For every example deal that gets an annex, the same context (built with clausegen, not timed)
is rendered on templates/annex.docx twice: by docxtpl (load, render, save) and by clausegen's
renderer.  It prints both sizes per deal, their total, and the target.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLES = ROOT / "examples"
COMPANY = EXAMPLES / "clausegen.yaml"
TEMPLATE = ROOT / "templates" / "annex.docx"


def contexts() -> list[tuple[str, dict, object]]:
    """(deal id, annex context, document properties) of every example that gets an annex."""
    from bench_batch import naive_contexts  # the same contexts bench_batch gives the naive loop

    return naive_contexts(EXAMPLES)


def docxtpl_bytes(context: dict) -> bytes:
    from docxtpl import DocxTemplate

    document = DocxTemplate(str(TEMPLATE))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main() -> None:
    from clausegen import render

    template = render.compiled_template(TEMPLATE)
    total_docxtpl = total_clausegen = 0
    print(f"{'deal':32} {'docxtpl B':>10} {'clausegen B':>12} {'ratio':>6}")
    for deal_id, context, properties in contexts():
        ours = len(template.render(context, properties))
        theirs = len(docxtpl_bytes(context))
        total_docxtpl += theirs
        total_clausegen += ours
        print(f"{deal_id:32} {theirs:10} {ours:12} {ours / theirs:6.2f}")
    ratio = total_clausegen / total_docxtpl
    print(f"{'total':32} {total_docxtpl:10} {total_clausegen:12} {ratio:6.3f}")
    print(f"target: annex size <= 1.00x docxtpl's; measured: {ratio:.3f}x; {'met' if ratio <= 1.0 else 'not met'}")


if __name__ == "__main__":
    main()
