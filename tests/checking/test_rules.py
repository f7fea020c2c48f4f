"""The rule registry: each rule declared once, documented, and able to fire.

One small edition per rule, clean but for that rule's one problem: a rule
that no input can trigger, or a new rule without a case here, fails.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bulletin import Settings, load, render
from bulletin.checking import LOAD, RULES, SCOPES, SPAM_RULES, Report, check, rules
from bulletin.checking.docs import checks_page
from bulletin.commands.check import check_file
from bulletin.errors import BulletinError, ContentError, ContentErrorGroup, Location
from bulletin.model.edition import Edition
from bulletin.rendering.layouts import builtin_layouts_folder
from tests.checking.test_check import (
    CLEAN,
    CONFIG,
    HEAD,
    SENDER,
    long_edition,
    only,
    write,
)
from tests.conftest import ROOT

CHECKS_MD = ROOT / "docs" / "checks.md"
REGENERATE = ".venv/bin/python -m bulletin.checking.docs docs/checks.md"


def settings_file(*lines: str, sender: bool = True) -> str:
    """A bulletin.toml with these top-level ``lines`` (and a sender)."""
    return (
        "schema = 1\n"
        + "".join(f"{line}\n" for line in lines)
        + (SENDER if sender else "")
    )


UNSUBSCRIBE = 'unsubscribe_url = "https://www.example.org/unsubscribe?token={token}"'


def noise_png(folder: Path) -> None:
    """A picture of random pixels: it stays heavy however it is optimised."""
    from PIL import Image as Pillow

    size = (800, 500)
    Pillow.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(
        folder / "noise.png"
    )


def plain_png(folder: Path) -> None:
    from PIL import Image as Pillow

    Pillow.new("RGB", (200, 100), (30, 90, 160)).save(folder / "pic.png")


def skipping_layout(folder: Path) -> None:
    """A layout like classic whose date, under the h1 title, is an h3."""
    own = folder / "layouts" / "skips"
    own.mkdir(parents=True)
    (own / "layout.toml").write_text(
        'description = "Classic, skipping h2."\nextends = "classic"\n', encoding="utf-8"
    )
    classic = builtin_layouts_folder() / "classic" / "edition.mjml.j2"
    date = '<p class="date">{{ page.date_text }}</p>'
    template = classic.read_text(encoding="utf-8")
    assert date in template
    (own / "edition.mjml.j2").write_text(
        template.replace(date, '<h3 class="date">{{ page.date_text }}</h3>'),
        encoding="utf-8",
    )


EMPTY_SECTION_PY = """\
from datetime import date

from bulletin import Edition

edition = Edition("News", date(2025, 1, 15), preheader="Training places")
edition.section("Training").paragraph(
    "Book a [training course](https://www.example.org/training/)."
)
edition.section("Events")
"""


@dataclass(frozen=True)
class Case:
    """An edition with one problem: its body, settings and any files beside it."""

    body: str = CLEAN
    config: str | None = CONFIG
    head: str = HEAD
    name: str = "edition.md"
    files: Callable[[Path], None] | None = None


AUDIENCES_HEAD = HEAD.replace("---\n", "---\naudiences: [health, police]\n", 1)
"""Front matter declaring two audiences."""

CASES: dict[str, Case] = {
    # content
    "no-preheader": Case(head=HEAD.replace("preheader: Training places and events\n", "")),
    "empty-section": Case(body=EMPTY_SECTION_PY, head="", name="edition.py"),
    "duplicate-section": Case(body="# Training\n\nOne.\n\n# training\n\nTwo.\n"),
    "duplicate-article": Case(body="# Training\n\n## Courses\n\nOne.\n\n## Courses\n\nTwo.\n"),
    "vague-link": Case(body="# Training\n\n[Click here](https://www.example.org/a/).\n"),
    "bare-url-link": Case(
        body="# Training\n\nSee [www.example.org](https://www.example.org/).\n"
    ),
    "unlinked-url": Case(body="# Training\n\nSee www.example.org for more.\n"),
    "insecure-link": Case(
        body="# Training\n\nSee [our courses](http://www.example.org/training/).\n"
    ),
    "field-without-default": Case(body="Hello {{ first_name }},\n\n# Training\n\nBook now.\n"),
    "past-event": Case(
        body="# Events\n\n::: event\ntitle: Conference\ndate: 2025-01-10\n:::\n"
    ),
    "past-deadline": Case(body="# Training\n\nThe deadline is 1 March 2024.\n"),
    "vague-alt": Case(body="# Training\n\n![image](pic.png)\n", files=plain_png),
    "narrowed-audience": Case(
        head=AUDIENCES_HEAD,
        body="# Training\n\nAll.\n\n# Custody {for police}\n\nWords.\n\n"
        "## Visits {for health}\n\nMore.\n",
    ),
    "empty-variant": Case(
        head=AUDIENCES_HEAD, body="# Custody {for police}\n\nWords.\n"
    ),
    # email
    "clipped": Case(body=long_edition([("Training", 30)])),
    "heavy-image": Case(
        body="# Training\n\n![Static on an old television set](noise.png)\n",
        files=noise_png,
    ),
    "heading-order": Case(
        config=settings_file('layout = "skips"', 'layout_paths = ["layouts"]', UNSUBSCRIBE),
        files=skipping_layout,
    ),
    "wide-table": Case(
        body="# Training\n\n| A | B | C | D | E |\n| - | - | - | - | - |\n| 1 | 2 | 3 | 4 | 5 |\n"
    ),
    "contrast": Case(config=CONFIG + '[colours]\ntext = "#dddddd"\n'),
    # sending
    "no-sender": Case(config=settings_file(UNSUBSCRIBE, sender=False)),
    "no-unsubscribe": Case(config=settings_file()),
    "no-one-click": Case(
        config=settings_file('unsubscribe_url = "mailto:unsubscribe@example.org"')
    ),
    "unsubscribe-no-token": Case(
        config=settings_file('unsubscribe_url = "https://www.example.org/unsubscribe"')
    ),
}  # fmt: skip

CODES = [rule.code for rule in RULES if not rule.opt_in]
"""The rules every check runs; the opt-in (SpamAssassin) ones are tested in test_spam."""


def edition_for(case: Case, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if case.files is not None:
        case.files(folder)
    path = write(folder, case.body, head=case.head, config=case.config)
    return path.rename(path.with_name(case.name))


# The registry ------------------------------------------------------------------


def test_codes_are_unique_and_kebab_case() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code), code
    assert LOAD not in codes, "load is a failure to load, not a rule"


def test_every_rule_is_documented_in_one_sentence() -> None:
    for rule in RULES:
        assert rule.level in ("error", "warning"), rule.code
        assert rule.scope in SCOPES, rule.code
        assert rule.doc[0].isupper(), rule.code
        assert rule.doc.endswith("."), rule.code
        assert rule.doc.count(". ") == 0, f"{rule.code}: one sentence"


def test_every_rule_has_a_case_here() -> None:
    assert sorted(CASES) == sorted(CODES), "add a Case for each new rule"


@pytest.mark.parametrize("code", CODES)
def test_each_rule_fires_on_its_case_alone(code: str, tmp_path: Path) -> None:
    path = edition_for(CASES[code], tmp_path)

    report = check_file(path)

    findings = only(report, code)
    [rule] = [rule for rule in RULES if rule.code == code]
    assert {item.level for item in findings} == {rule.level}
    assert all(item.message for item in findings)
    assert report.passed() is (rule.level == "warning")


@pytest.mark.parametrize("code", CODES)
def test_each_rule_can_be_ignored(code: str, tmp_path: Path) -> None:
    path = edition_for(CASES[code], tmp_path)

    assert check_file(path, ignore=[code]).findings == ()


def test_the_scopes_hold_the_rules_they_say() -> None:
    scoped = {scope: [rule.code for rule in rules(scopes=[scope])] for scope in SCOPES}

    assert sum(map(len, scoped.values())) == len(CODES)
    assert {"clipped", "contrast"} <= set(scoped["email"])
    assert set(scoped["sending"]) == {
        "no-sender",
        "no-unsubscribe",
        "no-one-click",
        "unsubscribe-no-token",
    }
    assert "vague-link" in scoped["content"]
    assert rules() == tuple(rule for rule in RULES if not rule.opt_in)
    assert rules(include=SPAM_RULES) == RULES
    assert {rule.code for rule in RULES if rule.opt_in} == set(SPAM_RULES)


def test_check_runs_only_the_scopes_asked_for(tmp_path: Path) -> None:
    path = edition_for(CASES["contrast"], tmp_path)
    (tmp_path / "bulletin.toml").write_text(
        settings_file('[colours]\ntext = "#dddddd"', sender=False), encoding="utf-8"
    )
    source = load(path)
    rendered = render(source.edition, source.settings, base_dir=source.base_dir)

    def codes(report: Report) -> set[str]:
        return {item.code for item in report.findings}

    assert codes(check(source, rendered)) == {"contrast", "no-sender", "no-unsubscribe"}
    assert codes(check(source, rendered, scopes=["email"])) == {"contrast"}
    assert codes(check(source, rendered, scopes=["sending"])) == {
        "no-sender",
        "no-unsubscribe",
    }
    assert codes(check(source, rendered, scopes=["content"])) == set()
    assert codes(check(source, rendered, scopes=["sending"], ignore=["no-sender"])) == {
        "no-unsubscribe"
    }


def test_an_unknown_code_to_ignore_names_the_close_ones(tmp_path: Path) -> None:
    path = write(tmp_path, CLEAN)

    with pytest.raises(BulletinError) as raised:
        check_file(path, ignore=["vage-link"])

    message = str(raised.value)
    assert message.startswith("unknown check code 'vage-link'; did you mean vague-link")
    assert "\n" not in message


def test_an_unknown_code_is_refused_even_when_the_file_does_not_load(
    tmp_path: Path,
) -> None:
    with pytest.raises(BulletinError, match="unknown check code 'nonsense'"):
        check_file(tmp_path / "missing.md", ignore=["nonsense"])


def test_an_unknown_code_with_nothing_close_lists_them_all() -> None:
    with pytest.raises(BulletinError) as raised:
        rules(ignore=["zzz"])

    assert str(raised.value).endswith(", ".join(rule.code for rule in RULES))


def test_one_string_to_ignore_is_one_code(tmp_path: Path) -> None:
    path = edition_for(CASES["vague-link"], tmp_path)

    assert check_file(path, ignore="vague-link").findings == ()


def test_an_unknown_scope_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown scope 'layout'"):
        rules(scopes=["layout"])  # type: ignore[list-item]  # wrong on purpose


# Failures to load ---------------------------------------------------------------


def test_a_failure_to_load_is_a_report_of_errors(tmp_path: Path) -> None:
    path = tmp_path / "edition.md"
    group = ContentErrorGroup(
        "two problems",
        [
            ContentError("one", Location(file=path, line=3, column=1)),
            ContentError("two", Location(file=path, line=9, column=4)),
        ],
    )

    report = Report.from_error(path, group)

    assert [(item.level, item.code) for item in report.findings] == [
        ("error", LOAD)
    ] * 2
    assert [str(item.location) for item in report.findings] == [
        f"{path}:3:1",
        f"{path}:9:4",
    ]
    assert [item.message for item in report.findings] == ["one", "two"]
    assert report.html_bytes is None
    assert not report.passed()


def test_any_other_failure_is_one_error_without_a_place(tmp_path: Path) -> None:
    report = Report.from_error(tmp_path / "edition.md", BulletinError("layout broke"))

    [finding] = report.findings
    assert (finding.level, finding.code, finding.message) == (
        "error",
        LOAD,
        "layout broke",
    )
    assert str(finding.location) == ""


# Render judges nothing -----------------------------------------------------------


def test_render_logs_no_contrast_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Contrast is a finding of check's, never a log line of render's."""
    edition = Edition("News", dt.date(2025, 1, 15))
    edition.section("Training").paragraph("Book now.")

    with caplog.at_level(logging.DEBUG, logger="bulletin"):
        render(edition, Settings(colours={"text": "#cccccc", "brand": "#dddddd"}))

    assert caplog.records == []


# The documentation ---------------------------------------------------------------


def test_docs_checks_md_is_up_to_date() -> None:
    written = CHECKS_MD.read_text(encoding="utf-8") if CHECKS_MD.exists() else ""

    assert written == checks_page(), (
        f"docs/checks.md is out of date with the rules; regenerate it: {REGENERATE}"
    )


def test_docs_checks_md_lists_every_code_with_its_level_and_scope() -> None:
    page = checks_page()
    for rule in RULES:
        [row] = [
            line for line in page.splitlines() if line.startswith(f"| `{rule.code}` |")
        ]
        assert f"| {rule.level} |" in row
        section = page[: page.index(row)].rsplit("\n## ", 1)[1]
        assert section.startswith(f"`{rule.scope}`"), rule.code
    assert f"`{LOAD}`" in page


def test_the_editors_guide_links_to_the_list() -> None:
    guide = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")

    assert "(checks.md)" in guide
