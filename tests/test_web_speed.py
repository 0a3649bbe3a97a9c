"""What the web form's speed work must leave as it was (a download's headers as ``send_file`` gave them, a
session read only with its key) and what it set (the server's garbage-collector threshold) (issue 15, section 3)."""

from __future__ import annotations

import gc
import io
import platform
import sys

import pytest
from flask import Flask, send_file
from itsdangerous import BadSignature

from clausegen.web import app as web_app
from clausegen.web import auth, server

NAMES = ["EXP-2026-0142-annex.docx", "deal.yaml", "a b;c.zip", 'quote"d.json', "tab\tname.docx",
         "Ж-annex.docx", "naïve.pdf"]
TYPES = ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip",
         "application/json", "application/pdf"]


def send_file_response(body: bytes, name: str, mimetype: str):
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mimetype", TYPES)
def test_an_attachment_has_the_headers_and_body_send_file_gives(name, mimetype):
    with Flask(__name__).test_request_context("/download", method="POST"):
        made = web_app._attachment(b"PK\x03\x04 the document", name, mimetype)
        expected = send_file_response(b"PK\x03\x04 the document", name, mimetype)
    headers = sorted((key, value) for key, value in made.headers.items() if key != "Expires")
    assert headers == sorted((key, value) for key, value in expected.headers.items() if key != "Expires")
    assert made.status_code == expected.status_code == 200
    assert b"".join(made.response) == b"".join(expected.response)


def test_an_attachment_expires_at_once_as_send_file_says():
    with Flask(__name__).test_request_context("/download", method="POST"):
        made = web_app._attachment(b"PK", "x.docx", "application/zip")
    assert made.expires is not None and made.cache_control.max_age == 0 and made.cache_control.no_cache


def test_a_warmed_server_collects_young_garbage_less_often(monkeypatch):
    monkeypatch.setattr(server.api, "warm_up", lambda library, templates: None)
    before = gc.get_threshold()

    class App:
        extensions = {"clausegen": type("Context", (), {"library": None, "templates": None})()}
        jinja_env = type("Env", (), {"list_templates": staticmethod(lambda: [])})()

    try:
        server.warm_up(App())
        assert gc.get_threshold() == (server.GC_YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def test_the_session_serializer_is_made_once_per_key():
    app = Flask(__name__)
    app.secret_key = b"k" * 32
    sessions = auth.Sessions()
    first = sessions.get_signing_serializer(app)
    assert sessions.get_signing_serializer(app) is first
    app.secret_key = b"other key" * 4
    assert sessions.get_signing_serializer(app) is not first


def test_a_session_signed_with_another_key_is_not_read_after_the_key_changes():
    app = Flask(__name__)
    app.secret_key = b"k" * 32
    sessions = auth.Sessions()
    signed = sessions.get_signing_serializer(app).dumps({"user": "anna"})
    assert sessions.get_signing_serializer(app).loads(signed) == {"user": "anna"}
    app.secret_key = b"other key" * 4
    with pytest.raises(BadSignature):
        sessions.get_signing_serializer(app).loads(signed)


def test_without_a_secret_key_there_is_no_session_serializer():
    assert auth.Sessions().get_signing_serializer(Flask(__name__)) is None


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="glibc's allocator only")
def test_the_allocator_accepts_the_servers_settings():
    assert server._keep_freed_memory() is True
