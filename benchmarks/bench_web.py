"""Annex downloads from the web form under a bounded load, against waitress in a subprocess (issue 15).

    python3 benchmarks/bench_web.py                       # 1, 4 and 16 concurrent clients, 400 requests each
    python3 benchmarks/bench_web.py --requests 1000 --concurrency 4 --threads 8

Loopback only.  Each level sends a fixed number of requests (``--requests``) and stops early at a time cap
(``--seconds``), whichever comes first, so a slow machine cannot make it run for ever.  The clients are
scripts with the shared token (``Authorization: Bearer``), as a company's integration would be; each
request downloads the annex of a proceed deal with its own deal id, and at the end the register is read
to check that every successful download was recorded exactly once.  Prints requests per second, the
median and 99th-percentile latency, the errors, the server's CPU time per request (its processes'
user + system time, which other people's load on a shared machine does not inflate much), the clients'
own CPU time per request and the machine's load average.

What it measures: the clients run on the same cores as the server (Python threads with keep-alive
``http.client`` connections, one a client), so req/s is what the server gives with the clients' CPU
taken from it; the client column says how much that is (under a millisecond a request, against the
server's tens).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@functools.lru_cache(maxsize=1)
def _example() -> dict:
    import yaml

    return yaml.safe_load((EXAMPLES / "saas-clinic-ae.yaml").read_text(encoding="utf-8"))


def _deal(deal_id: str) -> str:
    return json.dumps({**_example(), "deal_id": deal_id}, ensure_ascii=False, default=str)


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()
    except OSError:
        return "?"


def _start(port: int, register: Path, token: str, threads: int, log: Path, processes: int = 1) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "CLAUSEGEN_TOKEN": token}
    command = [sys.executable, "-m", "clausegen", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--threads", str(threads), "--processes", str(processes), "--register", str(register), "--company", str(EXAMPLES / "clausegen.yaml")]
    # the server logs a line a request: to a file (a pipe nobody reads would fill and stop it)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped: {log.read_text(errors='replace')}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/sign-in")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start within 120 s")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the server process and its children (Linux /proc; 0 elsewhere)."""
    try:
        pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        total = 0
        for one in pids:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_level(port: int, token: str, concurrency: int, requests: int, seconds: float, prefix: str
              ) -> tuple[list[float], Counter, float, list[str], float]:
    """Send ``requests`` annex downloads from ``concurrency`` clients; (latencies of successes, statuses,
    elapsed seconds, deal ids downloaded, the clients' own CPU seconds)."""
    bodies = [f"document=annex&deal_json={_quote(_deal(f'{prefix}-{i:05d}'))}".encode() for i in range(requests)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-www-form-urlencoded"}
    next_index = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()
    done: list[str] = []
    start = time.perf_counter()
    deadline = start + seconds
    cpu = time.process_time()  # this process is only the clients: what they take from the cores the server has

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            began = time.perf_counter()
            try:
                connection.request("POST", "/download", body=bodies[index], headers=headers)
                response = connection.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, data = 0, b""
            took = time.perf_counter() - began
            with lock:
                statuses[status] += 1
                if status == 200 and data.startswith(b"PK"):
                    latencies.append(took)
                    done.append(f"{prefix}-{index:05d}")

    workers = [threading.Thread(target=client) for _ in range(concurrency)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, statuses, time.perf_counter() - start, done, time.process_time() - cpu


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per concurrency level (default 400)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time cap per level (default 60 s)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument("--processes", type=int, default=2, help="server processes (default 2, one a core)")
    parser.add_argument("--warmup", type=int, default=20, help="requests before measuring (at least 10 a process)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from clausegen.register import Register

    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="clausegen-bench-web-") as tmp:
        register = Path(tmp) / "register.sqlite"
        port = _free_port()
        server = _start(port, register, token, args.threads, Path(tmp) / "server.log", args.processes)
        try:
            # every process warm (one client a process would each stay with one): its engine, its caches
            run_level(port, token, 2 * args.processes, max(args.warmup, 10 * args.processes), args.seconds, "WARM")
            print(f"annex downloads over loopback, waitress: {args.processes} process(es) of {args.threads} threads; "
                  f"{os.cpu_count()} CPUs; "
                  f"load average before: {_load()}")
            print(f"{'clients':>7} {'requests':>8} {'ok':>6} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
                  f" {'server CPU':>10} {'client CPU':>10}  load average after   (CPU: ms a request)")
            failed = False
            downloaded: list[str] = []
            for concurrency in args.concurrency:
                cpu = _cpu_seconds(server.pid)
                latencies, statuses, elapsed, done, client_cpu = run_level(
                    port, token, concurrency, args.requests, args.seconds, f"BENCH-C{concurrency}")
                cpu = (_cpu_seconds(server.pid) - cpu) / max(1, sum(statuses.values())) * 1000
                client_cpu = client_cpu / max(1, sum(statuses.values())) * 1000
                errors = sum(count for status, count in statuses.items() if status != 200)
                sent = sum(statuses.values())
                print(f"{concurrency:>7} {sent:>8} {len(latencies):>6} {errors:>6} {len(latencies) / elapsed:>8.1f} "
                      f"{_percentile(latencies, .5) * 1000:>8.1f} {_percentile(latencies, .99) * 1000:>8.1f} "
                      f"{cpu:>10.1f} {client_cpu:>10.1f}  "
                      f"{_load()}" + (f"  statuses {dict(statuses)}" if errors else "")
                      + ("  (time cap reached)" if sent < args.requests else ""))
                failed = failed or errors > 0
                downloaded += done
        finally:
            server.terminate()
            server.wait(30)
        store = Register(register)
        rows = Counter(row["deal_id"] for row in store.history() if row["deal_id"].startswith("BENCH-"))
        store.close()
        twice = [deal for deal, count in rows.items() if count != 1]
        unrecorded = sorted(set(downloaded) - set(rows))
        print(f"register: {sum(rows.values())} rows for {len(downloaded)} downloads"
              + (f"; recorded more than once: {twice[:5]}" if twice else "")
              + (f"; not recorded: {unrecorded[:5]}" if unrecorded else "")
              + (", each recorded once" if not twice and not unrecorded else ""))
        return 1 if failed or twice or unrecorded else 0


if __name__ == "__main__":
    sys.exit(main())
