"""Where the SMTP settings come from: bulletin.toml, the environment, the options."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.commands.smtpconfig import outgoing
from bulletin.loading.config import CONFIG_NAME, Config, load_config


def config_with(tmp_path: Path, smtp: str) -> Config:
    path = tmp_path / CONFIG_NAME
    path.write_text(
        f'schema = 1\n[smtp]\nhost = "smtp.example.org"\n{smtp}', encoding="utf-8"
    )
    return load_config(path)


@pytest.mark.parametrize(
    "written", ['preset = "none"', 'preset = "None"', 'preset = ""']
)
def test_preset_none_in_bulletin_toml_means_no_caps(
    tmp_path: Path, written: str
) -> None:
    assert outgoing(config_with(tmp_path, written + "\n"), environ={}).caps == ()


def test_preset_none_on_the_command_line_overrides_the_files_preset(
    tmp_path: Path,
) -> None:
    config = config_with(tmp_path, 'preset = "m365"\n')

    assert outgoing(config, environ={}).caps != ()
    assert outgoing(config, environ={}, preset="none").caps == ()
