"""Any bulletin.toml is read, or refused with placed one-line ContentErrors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.errors import ContentError, ContentErrorGroup
from bulletin.loading.config import CONFIG_NAME, SETTINGS_KEYS, load_config

KEYS = sorted(
    {*SETTINGS_KEYS, "schema", "layout", "layout_paths", "suppressions", "smtp"}
)
INNER = [
    "src",
    "alt",
    "width",
    "link",
    "brand",
    "name",
    "address",
    "source",
    "host",
    "x",
]

scalars = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["#1d4f91", "https://example.org/{slug}", "news@example.org", "{day:>9}"]
    ),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(INNER), scalars, max_size=4),
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: the same escapes
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    assert isinstance(value, dict)
    return (
        "{"
        + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items())
        + "}"
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("config")


@settings(max_examples=300, deadline=None)
@given(table=st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_any_settings_are_read_or_refused_in_place(
    folder: Path, table: dict[str, object]
) -> None:
    table.setdefault("schema", 1)
    path = folder / CONFIG_NAME
    path.write_text(
        "".join(f"{key} = {toml_value(value)}\n" for key, value in table.items()),
        encoding="utf-8",
    )
    try:
        load_config(path)
    except ContentErrorGroup as group:
        errors = list(group.exceptions)
    except ContentError as error:
        errors = [error]
    else:
        return
    for error in errors:
        assert error.location.file is not None, error
        assert error.location.line is not None, error
        assert "\n" not in str(error), error
