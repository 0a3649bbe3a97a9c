"""Start-up: one `clausegen annex` against `python -c "import docxtpl"`, in one run.

    python3 benchmarks/bench_startup.py            # 15 runs of each, interleaved
    python3 benchmarks/bench_startup.py --runs 31

Each run is a fresh interpreter, timed from outside (wall clock).  The runs alternate
(docxtpl, annex, annex with a register, cold annex, docxtpl, ...) so that each ratio compares
medians taken under the same load.  Compiled bytecode is kept in a temporary folder
(PYTHONPYCACHEPREFIX), as an installed package has it, even where PYTHONDONTWRITEBYTECODE
is set; a warm-up run of each fills it first.

clausegen's own cache (compiled clause texts and templates, the morphology's answers;
clausegen/cache.py) is a temporary folder too (CLAUSEGEN_CACHE_DIR): "annex" and "annex,
register" run with it filled, as every run after the first on a user's machine; "annex, cold
cache" empties it before each run, as a first run after installing or upgrading.

Target (issue 17): the annex, without a register, within 2.5x the import of docxtpl.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DEAL = EXAMPLES / "saas-clinic-ae.yaml"
COMPANY = EXAMPLES / "clausegen.yaml"


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="clausegen-startup-"))
    try:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        cache = work / "cache"
        env["CLAUSEGEN_CACHE_DIR"] = str(cache)
        annex = [sys.executable, "-m", "clausegen", "annex", str(DEAL), "--company", str(COMPANY),
                 "-o", str(work / "annex.docx")]
        commands = {
            "docxtpl": [sys.executable, "-c", "import docxtpl"],
            "annex": [*annex, "--no-register"],
            "annex, register": [*annex, "--register", str(work / "register.sqlite")],
            "annex, cold cache": [*annex, "--no-register"],
        }
        for command in commands.values():
            timed(command, env)  # warm-up: bytecode written, files in the page cache, the cache filled
        times: dict[str, list[float]] = {name: [] for name in commands}
        loads = [os.getloadavg()[0]]
        for _ in range(args.runs):
            for name, command in commands.items():
                if name == "annex, cold cache":
                    shutil.rmtree(cache)  # and the next warm run fills it again
                times[name].append(timed(command, env))
            loads.append(os.getloadavg()[0])
        median = {name: statistics.median(values) for name, values in times.items()}
        print(f"median of {args.runs} interleaved runs each; load average {min(loads):.2f}-{max(loads):.2f}")
        for name, command in commands.items():
            shown = " ".join(Path(part).name if os.sep in part else part for part in command[1:])
            print(f"  {name:18} {median[name] * 1000:7.0f} ms   python3 {shown}")
        ratio = median["annex"] / median["docxtpl"]
        print(f"annex / import docxtpl: {ratio:.2f}x (target <= 2.5x: {'met' if ratio <= 2.5 else 'not met'}); "
              f"with a register: {median['annex, register'] / median['docxtpl']:.2f}x; "
              f"with a cold cache: {median['annex, cold cache'] / median['docxtpl']:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
