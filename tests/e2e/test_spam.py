"""Real SpamAssassin on the mail bulletin writes (issue 15): clean, not just under 5.

Every example's ``.eml`` as ``bulletin build`` writes it, and one reader's own
copy from ``bulletin send --outbox``, is scored with ``spamassassin -L -t``:
local rules only, no network, and an empty preferences file
(:func:`bulletin.checking.spamassassin.spamassassin`), so the machine's own
SpamAssassin preferences count for nothing. Each must score at most 0.1
with no rule adding more than 0.1: informational rules only (``HTML_MESSAGE``
adds 0.001; ``NO_RECEIVED`` and ``NO_RELAYS`` 0, as a file never relayed by a
server gets). ``make test`` installs Debian's ``spamassassin``; without it the
tests are skipped.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulletin.checking.spamassassin import (
    CLEAN_SCORE,
    SPAMASSASSIN,
    SpamReport,
    spamassassin,
)
from bulletin.cli import app
from bulletin.commands.build import build
from bulletin.mail.unsubscribe import SECRET_ENV
from tests.conftest import EXAMPLES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which(SPAMASSASSIN) is None,
        reason="SpamAssassin is not installed (make test installs Debian's "
        "spamassassin; or: apt-get install spamassassin)",
    ),
]

EXAMPLE_NAMES = sorted(path.parent.name for path in EXAMPLES.glob("*/edition.md"))
SECRET = "a-long-random-test-secret-0123456789"
READER = "j.hughes@example.org"


def assert_clean(report: SpamReport, what: str) -> None:
    """At most 0.1 in all and no rule over 0.1, saying every rule hit if not."""
    hits = "\n  ".join(str(hit) for hit in report.hits) or "(none)"
    message = (
        f"{what}: SpamAssassin scores {report.score:.1f} (at most {CLEAN_SCORE} "
        f"wanted, no rule over {CLEAN_SCORE}); rules hit:\n  {hits}"
    )
    assert report.score <= CLEAN_SCORE, message
    assert not report.scoring, message


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_each_examples_eml_scores_clean(name: str, tmp_path: Path) -> None:
    built = build(EXAMPLES / name / "edition.md", tmp_path / name)
    (eml,) = (path for path in built.files if path.suffix == ".eml")

    report = spamassassin(eml.read_bytes())

    assert_clean(report, eml.name)
    assert report.required == 5.0


def test_a_readers_own_copy_scores_clean(
    edition: Path, recipients: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    outbox = tmp_path / "outbox"
    result = CliRunner().invoke(
        app,
        [
            "send",
            str(edition),
            "--recipients",
            str(recipients),
            "--outbox",
            str(outbox),
        ],
    )
    assert result.exit_code == 0, result.output
    (copy,) = (path for path in outbox.glob("*.eml") if READER in path.name)
    assert f"To: {READER}".encode() in copy.read_bytes()

    report = spamassassin(copy.read_bytes())

    assert_clean(report, copy.name)


@pytest.mark.parametrize("layout", ["classic", "compact"])
def test_a_one_word_preheader_is_not_hidden_text_to_a_filter(
    layout: str, tmp_path: Path
) -> None:
    # A 1px preheader was WORD_INVIS + FONT_INVIS_MSGID (2.0) when it was short.
    (tmp_path / "bulletin.toml").write_text(
        f'schema = 1\npublisher = "Example Partnership"\nlayout = "{layout}"\n'
        '[sender]\nname = "Example Partnership"\naddress = "news@example.org"\n',
        encoding="utf-8",
    )
    edition = tmp_path / "edition.md"
    edition.write_text(
        "---\ntitle: Training news\ndate: 2025-01-15\npreheader: Training\n---\n"
        "# Courses\n\nBook a place on the safer recruitment course in February.\n",
        encoding="utf-8",
    )
    built = build(edition, tmp_path / "out")
    (eml,) = (path for path in built.files if path.suffix == ".eml")

    assert_clean(spamassassin(eml.read_bytes()), f"{layout}: {eml.name}")
