"""docs/deal-format.md documents the deal format for users (issue 13, section 4): every field of the
model, every activity tag, and `clausegen schema` points to it."""

from __future__ import annotations

import json
import typing

import pytest
from helpers import ROOT, invoke
from pydantic import BaseModel

from clausegen import activities
from clausegen.model import CompanyProfile, Deal

DOC = (ROOT / "docs" / "deal-format.md").read_text(encoding="utf-8")


def field_names(model: type[BaseModel]) -> set[str]:
    names = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)  # as users write it in the file
        for arg in (info.annotation, *typing.get_args(info.annotation),
                    *(a for inner in typing.get_args(info.annotation) for a in typing.get_args(inner))):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names |= field_names(arg)
    return names


@pytest.mark.parametrize("name", sorted(field_names(Deal) | field_names(CompanyProfile)))
def test_every_field_of_the_model_is_documented(name):
    assert f"`{name}`" in DOC or f"{name}:" in DOC, name


@pytest.mark.parametrize("tag", activities.ALL)
def test_every_activity_tag_is_in_the_table(tag):
    assert f"| `{tag}` |" in DOC, f"{tag}: regenerate the table with `clausegen activities --markdown`"


def test_schema_points_users_to_the_document():
    schema = json.loads(invoke("schema").stdout)
    assert "docs/deal-format.md" in schema["description"]


def test_readme_points_to_the_document():
    assert "docs/deal-format.md" in (ROOT / "README.md").read_text(encoding="utf-8")
