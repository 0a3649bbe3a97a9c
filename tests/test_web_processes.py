"""serve --processes: the forked servers share out kept-alive connections evenly (clausegen.web.server)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import COMPANY, EXAMPLES

from clausegen.web.server import _Loads


def test_a_server_defers_only_to_a_live_sibling_holding_fewer():
    loads = _Loads(3)
    now = 1000.0
    loads.publish(0, 2, now)
    loads.publish(1, 2, now)
    assert not loads.fewer_elsewhere(0, 2, now)  # a tie: both accept
    assert loads.fewer_elsewhere(0, 3, now)
    loads.publish(2, 0, now - 10)  # slot 2 stopped writing (its process died): left out
    assert not loads.fewer_elsewhere(0, 2, now)
    loads.publish(2, 0, now)
    assert loads.fewer_elsewhere(0, 1, now)


def _sockets(pid: int) -> int:
    return sum(os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:") for fd in os.listdir(f"/proc/{pid}/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "fork"), reason="Linux /proc and fork")
def test_four_kept_alive_clients_are_two_on_each_of_two_processes(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(EXAMPLES.parent)}
    server = subprocess.Popen([sys.executable, "-m", "clausegen", "serve", "--port", str(port), "--processes", "2",
                               "--threads", "2", "--register", str(tmp_path / "r.sqlite"), "--company", str(COMPANY)],
                              env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "log").open("wb"))
    connections: list[http.client.HTTPConnection] = []
    try:
        for _ in range(1200):  # a hang guard of about two minutes, not a performance limit
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                probe.request("GET", "/sign-in", headers={"Connection": "close"})
                probe.getresponse().read()  # answered: the processes are serving
                probe.close()
                break
            except OSError:
                time.sleep(0.1)
        children = [int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
        assert len(children) == 2
        time.sleep(0.5)  # the probe's connection closed: both processes back to none
        baseline = [_sockets(pid) for pid in children]
        for _ in range(4):  # one after another: each answered (so accepted and counted) before the next
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/sign-in")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            connections.append(connection)
        held = [_sockets(pid) - before for pid, before in zip(children, baseline)]
        assert held == [2, 2], (tmp_path / "log").read_text()
    finally:
        for connection in connections:
            connection.close()
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
