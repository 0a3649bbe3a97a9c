"""The form parser's fast path gives the fields the standard library gives (clausegen.web.formdata)."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, quote

import pytest
from werkzeug.test import EnvironBuilder

from clausegen.web.formdata import FormRequest, parse_urlencoded

ALPHABET = ["a", "Z", "0", "%", "+", "=", "&", "\\", "x", "%4", "%41", "%4g", "%d0%bf", "%D0%BF", "%D0", "%FF",
            "%00", "%%", "п", "€", "\\x41", " ", ";", "%2B", "%26", "%3D", "%5C"]


def _reference(body: str) -> list[tuple[str, str]]:
    return parse_qsl(body, keep_blank_values=True, errors="werkzeug.url_quote")


@pytest.mark.parametrize("body", [
    "", "&", "&&a=1&&", "a", "a=", "=b", "a=1=2", "a+b=c+d", "deal_json=%7B%22x%22%3A%22%D0%BF%22%7D",
    "a=%", "a=%4", "a=%zz", "a=%FF%FE", "a=%D0", "a=%D0%BF%D0", "a=\\x41", "a=\\%41", "a=%5Cx41", "a=п%41",
    "a=%00", "a=" + quote("Клиника «Север» & Co", safe=""),
])
def test_the_fields_are_the_standard_librarys(body):
    assert parse_urlencoded(body) == _reference(body)


def test_random_bodies_give_the_standard_librarys_fields():
    chooser = random.Random(15)
    for _ in range(3000):
        body = "".join(chooser.choice(ALPHABET) for _ in range(chooser.randrange(0, 24)))
        assert parse_urlencoded(body) == _reference(body), body


def _form(body: bytes):
    environ = EnvironBuilder(method="POST", data=body, content_type="application/x-www-form-urlencoded").get_environ()
    return FormRequest(environ).form


def test_a_request_reads_its_form_through_the_fast_parser():
    form = _form("document=annex&deal_json=%D0%BF%2B+x".encode())
    assert form["document"] == "annex" and form["deal_json"] == "п+ x"


def test_a_body_that_is_not_utf8_is_an_empty_form_as_before():
    assert not _form(b"a=\xff\xfe")


@pytest.mark.parametrize("tail", ["%zz", "%4", "%", "%D0", "%FF", "\\x4", "\\", "%5C%"])
def test_a_bad_escape_after_many_good_ones_gives_the_standard_librarys_field(tail):
    body = "deal_json=" + quote("Клиника «Север» \\ " * 50, safe="") + tail
    assert parse_urlencoded(body) == _reference(body)


def test_random_long_values_of_escapes_give_the_standard_librarys_fields():
    chooser = random.Random(17)
    for _ in range(300):
        body = "a=" + "".join(chooser.choice(ALPHABET) for _ in range(chooser.randrange(100, 400)))
        assert parse_urlencoded(body) == _reference(body), body
