"""Hostile input to the web form (issue 15): every one is a 400 page naming the problem, never a 500;
a body over the limit is a 413 from waitress itself, chunked or not."""

from __future__ import annotations

import io
import re
import socket
import threading

import pytest
from helpers import COMPANY, modified
from webclient import SignedIn, add_users

from clausegen.web import MAX_REQUEST_BYTES, create_app, forms, make_web_server


@pytest.fixture(scope="module")
def client(register_path):
    add_users(register_path)
    return SignedIn(create_app(company=COMPANY, register=register_path), "lev")


def _text(response) -> str:
    return re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))


def _upload(client, text: str, name: str):
    return client.post("/upload", data={"deal_file": (io.BytesIO(text.encode("utf-8")), name)},
                       content_type="multipart/form-data")


def _values(**changes) -> dict:
    values, _ = forms.deal_to_form(modified())
    return {**values, **changes}


YAML_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh")) + "deal_id: X\n"


@pytest.mark.parametrize("name, text, expected", [
    ("deal.json", "[" * 100_000 + "]" * 100_000, "Nested more than 32 levels deep"),
    ("deal.yaml", "[" * 100_000, "Nested more than 32 levels deep"),  # libyaml would overflow the C stack
    ("deal.yaml", "- " * 60_000 + "x", "Nested more than 32 levels deep"),
    ("deal.json", '{"deal_id": ' + "9" * 5000 + "}", "more than 4,300 digits"),
    ("deal.yaml", "deal_id: X\npayment: {amount: " + "9" * 5000 + "}\n", "A number of 5000 digits"),
    ("deal.yaml", "deal_id: X\ncontract: &a {annex: *a}\n", "recursive alias"),
    ("deal.yaml", YAML_BOMB, "once the YAML aliases are expanded"),
])
def test_a_hostile_upload_is_a_400_naming_the_problem(client, name, text, expected):
    response = _upload(client, text, name)
    assert response.status_code == 400
    assert expected in _text(response) and "Traceback" not in _text(response)


@pytest.mark.parametrize("deal_json, expected", [
    ("[" * 100_000 + "]" * 100_000, "Nested more than 32 levels deep"),
    ('{"a":' * 5000 + "1" + "}" * 5000, "Nested more than 32 levels deep"),
    ('{"deal_id": ' + "9" * 5000 + "}", "more than 4,300 digits"),
])
def test_a_hostile_checked_deal_is_a_400_naming_the_problem(client, deal_json, expected):
    response = client.post("/download", data={"deal_json": deal_json, "document": "annex"})
    assert response.status_code == 400 and expected in _text(response)


@pytest.mark.parametrize("field", ["payment.amount", "contract.annex_number", "terms.response_days", "red_flags"])
def test_a_5000_digit_number_in_a_form_field_is_a_400_next_to_the_field(client, field):
    response = client.post("/check", data=_values(**{field: "9" * 5000}))
    assert response.status_code == 400
    assert re.search(rf'id="{forms.field_id(field)}[^"]*-msg-1"', response.get_data(as_text=True))


@pytest.mark.parametrize("character", ["\ue000", "\U0010fffd", "\u0378"])
def test_a_character_the_morphology_cannot_read_is_a_400_naming_it(client, character):
    response = client.post("/check", data=_values(**{"counterparty.signatory.name.ru": "Иванов Иван Иванович"
                                                     + character}))
    assert response.status_code == 400
    assert f"U+{ord(character):04X}" in _text(response)


@pytest.mark.parametrize("text", ["Иван\u0301ов Иван Иванович", "ǅoković Novak", "𓀀 Аменхотеп", "ꙮ Ꙭ"])
def test_rare_but_assigned_letters_in_a_name_still_make_documents(client, text):
    values = _values(**{"counterparty.signatory.name.ru": text, "deal_id": "HOSTILE-NAME"})
    page = client.post("/check", data=values).get_data(as_text=True)
    import html

    deal_json = html.unescape(re.search(r'name="deal_json" value="([^"]*)"', page).group(1))
    assert client.post("/download", data={"deal_json": deal_json, "document": "all"}).status_code == 200


# ------------------------------------------------------------------ through waitress


@pytest.fixture(scope="module")
def served(register_path):
    add_users(register_path)
    server = make_web_server("127.0.0.1", 0, COMPANY, None, register_path, threads=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _raw(port: int, head: str, body_chunks) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(head.encode("ascii"))
        try:
            for chunk in body_chunks:
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the whole body was sent
        return connection.recv(65536).decode("latin-1")


def test_a_chunked_body_over_the_limit_is_413_from_waitress(served):
    chunk = b"x" * 65536

    def chunks():
        for _ in range(MAX_REQUEST_BYTES // len(chunk) + 4):
            yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        yield b"0\r\n\r\n"

    head = (f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/octet-stream\r\n\r\n")
    answer = _raw(served.port, head, chunks())
    assert answer.startswith("HTTP/1.1 413")


def test_a_declared_length_over_the_limit_is_413_from_waitress(served):
    head = (f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nContent-Length: {MAX_REQUEST_BYTES + 1}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n")
    assert _raw(served.port, head, [b"x" * 1024]).startswith("HTTP/1.1 413")


def test_waitress_serves_the_sign_in_page(served):
    head = f"GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nConnection: close\r\n\r\n"
    answer = _raw(served.port, head, [])
    assert answer.startswith("HTTP/1.1 200") and "Server: clausegen" in answer


def test_serve_with_two_processes_answers_and_stops_on_sigterm(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from helpers import EXAMPLES

    port_probe = socket.socket()
    port_probe.bind(("127.0.0.1", 0))
    port = port_probe.getsockname()[1]
    port_probe.close()
    env = {**os.environ, "PYTHONPATH": str(EXAMPLES.parent)}
    server = subprocess.Popen([sys.executable, "-m", "clausegen", "serve", "--port", str(port), "--processes", "2",
                               "--threads", "2", "--register", str(tmp_path / "r.sqlite"),
                               "--company", str(COMPANY)], env=env, stdout=subprocess.DEVNULL,
                              stderr=(tmp_path / "log").open("wb"))
    try:
        answers = []
        for _ in range(600):  # a hang guard of about a minute, not a performance limit
            try:
                head = f"GET /sign-in HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                answers.append(_raw(port, head, []))
                if len(answers) == 4:
                    break
            except OSError:
                time.sleep(0.1)
        assert len(answers) == 4 and all(a.startswith("HTTP/1.1 200") for a in answers)
        assert "2 processes" in (tmp_path / "log").read_text()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
