"""``bulletin check --spam``: SpamAssassin's score for the ``.eml``, as findings.

The rules ``spam-score`` and ``marked-spam`` run only when asked for. The real
SpamAssassin scores the examples and a small edition with no sender (skipped
when it is not installed); a stand-in program on ``PATH`` prints a report that
marks the email as spam, fails or hangs; an empty ``PATH`` is a machine
without it.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulletin.checking import SPAM_RULES
from bulletin.checking.spamassassin import (
    SPAMASSASSIN,
    Hit,
    parse_report,
    spamassassin,
)
from bulletin.cli import app
from bulletin.commands.check import check_file
from bulletin.errors import BulletinError
from tests.conftest import EXAMPLES

runner = CliRunner()

JANUARY = EXAMPLES / "dscp-2025-01" / "edition.md"

installed = pytest.mark.skipif(
    shutil.which(SPAMASSASSIN) is None,
    reason="SpamAssassin is not installed (make test installs Debian's spamassassin)",
)

REPORT = """\
From: someone@example.org
Subject: a message that quotes a report of its own

Content analysis details:   (9.9 points, 5.0 required)

Spam detection software, running on the system "example", has
identified this incoming email as possible spam.

Content analysis details:   (6.2 points, 5.0 required)

 pts rule name              description
---- ---------------------- --------------------------------------------------
-0.0 NO_RECEIVED            Informational: message has no Received headers
 5.0 MADE_UP_RULE           A rule whose description is long enough to go on
                            over the next line
 1.2 MISSING_HEADERS        Missing To: header
 0.0 HTML_MESSAGE           BODY: HTML included in message

"""


def small_edition(folder: Path, config: str = "schema = 1\n") -> Path:
    """A one-section edition; with the default settings, no sender and no From."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bulletin.toml").write_text(config, encoding="utf-8")
    path = folder / "edition.md"
    path.write_text(
        "---\ntitle: News\ndate: 2025-01-15\npreheader: Training and events\n---\n"
        "# Training\n\nPlaces are left on this month's courses.\n",
        encoding="utf-8",
    )
    return path


def stand_in(folder: Path, script: str) -> Path:
    """A ``spamassassin`` on ``PATH`` (alone there) that runs ``script`` with sh."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / SPAMASSASSIN
    program.write_text("#!/bin/sh\n" + textwrap.dedent(script), encoding="utf-8")
    program.chmod(0o755)
    return folder


# Reading the report ----------------------------------------------------------------


def test_the_report_is_the_last_one_with_its_rules_and_long_descriptions() -> None:
    report = parse_report(REPORT)

    assert (report.score, report.required) == (6.2, 5.0)
    assert [hit.rule for hit in report.hits] == [
        "NO_RECEIVED",
        "MADE_UP_RULE",
        "MISSING_HEADERS",
        "HTML_MESSAGE",
    ]
    assert report.hits[1] == Hit(
        "MADE_UP_RULE",
        5.0,
        "A rule whose description is long enough to go on over the next line",
    )
    assert report.hits[0].score == 0.0
    assert str(report.hits[0].score) == "0.0", "-0.0 reads as 0.0"
    assert [hit.rule for hit in report.scoring] == ["MADE_UP_RULE", "MISSING_HEADERS"]
    assert not report.clean


def test_output_without_a_report_is_refused() -> None:
    with pytest.raises(ValueError, match="no 'Content analysis details'"):
        parse_report("From: someone@example.org\n\nHello\n")


# The real SpamAssassin -------------------------------------------------------------


@installed
def test_check_spam_scores_the_eml_and_says_which_rules(tmp_path: Path) -> None:
    report = check_file(small_edition(tmp_path), spam=True)

    spam = [item for item in report.findings if item.code == "spam-score"]
    assert report.spam_score is not None
    assert report.spam_score > 0.1
    assert {item.level for item in spam} == {"warning"}
    assert any("MISSING_FROM" in item.message for item in spam), spam
    assert all(
        f"scores the email {report.spam_score:.1f}" in item.message for item in spam
    )
    assert "marked-spam" not in {item.code for item in report.findings}


@installed
def test_the_spam_rules_run_only_when_asked_for(tmp_path: Path) -> None:
    path = small_edition(tmp_path)

    assert check_file(path).spam_score is None
    asked = check_file(path, spam=True, ignore=SPAM_RULES)
    assert asked.spam_score is None, "both ignored: SpamAssassin is not run"
    assert not {item.code for item in asked.findings} & set(SPAM_RULES)


@installed
def test_check_spam_on_an_example_prints_its_score() -> None:
    result = runner.invoke(
        app, ["check", "--spam", "--ignore", "vague-link", str(JANUARY)]
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("; SpamAssassin score 0.0: ready to send\n")


@installed
def test_check_spam_in_json_has_the_score() -> None:
    result = runner.invoke(app, ["check", "--spam", "-f", "json", str(JANUARY)])

    loaded = json.loads(result.stdout)
    assert loaded["spam_score"] == 0.0
    assert not [item for item in loaded["findings"] if item["code"] in SPAM_RULES]


# Without SpamAssassin, or with one that misbehaves -----------------------------------


def test_check_spam_without_spamassassin_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    result = runner.invoke(app, ["check", "--spam", str(JANUARY)])

    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("error: SpamAssassin is not installed")
    assert "apt-get install spamassassin" in line
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception), result.exception


def test_without_spamassassin_plain_check_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    result = runner.invoke(app, ["check", "--ignore", "vague-link", str(JANUARY)])

    assert result.exit_code == 0, result.output
    assert "SpamAssassin" not in result.stdout


def test_a_missing_program_is_a_bulletin_error() -> None:
    with pytest.raises(BulletinError, match="apt-get install spamassassin"):
        spamassassin(
            b"Subject: hi\r\n\r\nhi\r\n", executable="/nonexistent/spamassassin"
        )


def test_a_score_over_the_threshold_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_file = tmp_path / "report.txt"
    report_file.write_text(REPORT, encoding="utf-8")
    folder = stand_in(
        tmp_path / "bin", f"/bin/cat >/dev/null\n/bin/cat {report_file}\n"
    )
    monkeypatch.setenv("PATH", str(folder))

    report = check_file(small_edition(tmp_path / "edition"), spam=True)

    codes = [item.code for item in report.findings]
    assert codes.count("marked-spam") == 1
    assert codes.count("spam-score") == 2, "MADE_UP_RULE and MISSING_HEADERS"
    [marked] = [item for item in report.findings if item.code == "marked-spam"]
    assert marked.level == "error"
    assert "score the email 6.2" in marked.message
    assert "as spam from 5.0" in marked.message
    assert report.spam_score == 6.2


def test_a_failing_spamassassin_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = stand_in(tmp_path / "bin", "echo 'config: broken rules' >&2\nexit 2\n")
    monkeypatch.setenv("PATH", str(folder))

    with pytest.raises(BulletinError, match=r"exit status 2\): config: broken rules"):
        spamassassin(b"Subject: hi\r\n\r\nhi\r\n")


def test_a_hanging_spamassassin_times_out(tmp_path: Path) -> None:
    folder = stand_in(tmp_path / "bin", "exec /bin/sleep 30\n")

    with pytest.raises(BulletinError, match=r"took more than 0\.5 s"):
        spamassassin(
            b"Subject: hi\r\n\r\nhi\r\n",
            executable=str(folder / SPAMASSASSIN),
            timeout=0.5,
        )
