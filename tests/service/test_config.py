"""The service's settings: from bulletin.toml and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.errors import ServiceError
from bulletin.service.config import service_config
from tests.service.conftest import LIST_ID, SECRET

ENV = {"BULLETIN_UNSUBSCRIBE_SECRET": f"{SECRET}, another-long-old-secret"}


def write(folder: Path, text: str) -> Path:
    (folder / "bulletin.toml").write_text(f"schema = 1\n{text}", encoding="utf-8")
    return folder


def test_the_settings_come_from_bulletin_toml(tmp_path: Path) -> None:
    write(
        tmp_path,
        f'publisher = "Example Partnership"\nlist_id = "{LIST_ID}"\n'
        '[colours]\nbrand = "#004d26"\n[contact]\nemail = "news@example.org"\n',
    )
    config = service_config(tmp_path, environ=ENV)
    assert config.list_id == LIST_ID
    assert config.secrets == (SECRET, "another-long-old-secret")
    assert config.publisher == "Example Partnership"
    assert config.contact_email == "news@example.org"
    assert config.colours["brand"] == "#004d26"
    assert config.unsubscribe_words == {"en": "Unsubscribe", "cy": "Dad-danysgrifio"}


def test_a_colour_that_would_be_unreadable_keeps_the_layouts(tmp_path: Path) -> None:
    write(tmp_path, f'list_id = "{LIST_ID}"\n[colours]\nbrand = "#ffee00"\n')
    assert service_config(tmp_path, environ=ENV).colours["brand"] == "#1d4f91"


def test_the_list_id_given_wins(tmp_path: Path) -> None:
    write(tmp_path, f'list_id = "{LIST_ID}"\n')
    config = service_config(tmp_path, list_id="other.example.org", environ=ENV)
    assert config.list_id == "other.example.org"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "BULLETIN_UNSUBSCRIBE_SECRET"),
        ({"BULLETIN_UNSUBSCRIBE_SECRET": "short"}, "shorter"),
    ],
)
def test_no_usable_secret_is_refused(
    tmp_path: Path, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ServiceError, match=message):
        service_config(tmp_path, list_id=LIST_ID, environ=environ)


def test_a_list_id_that_is_not_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="not a list id"):
        service_config(tmp_path, list_id="not a list", environ=ENV)
