"""The rules on audiences, through ``check_file`` on real edition files."""

from __future__ import annotations

from pathlib import Path

from bulletin.checking import Finding
from bulletin.commands.check import check_file

HEAD = """---
title: News
date: 2025-01-15
preheader: What is in this edition, in one line long enough for inboxes.
audiences: [schools, health, police]
---

"""


def findings(tmp_path: Path, body: str, code: str) -> list[Finding]:
    path = tmp_path / "edition.md"
    path.write_text(HEAD + body, encoding="utf-8")
    report = check_file(path)
    # No bulletin.toml: only what sending needs is missing.
    assert {item.code for item in report.errors} <= {"no-sender", "no-unsubscribe"}
    return [finding for finding in report.findings if finding.code == code]


def test_an_article_for_others_inside_a_tagged_section_is_found_at_its_line(
    tmp_path: Path,
) -> None:
    body = (
        "# Open\n\nEveryone.\n\n"
        "# Custody {for police}\n\nIntro.\n\n"
        "## Visits {for police, health}\n\nNarrowed.\n\n"
        "## Safe {for police}\n\nFine.\n"
    )
    [found] = findings(tmp_path, body, "narrowed-audience")
    assert found.location.line == 16  # the ## Visits line
    assert "readers in health alone never see it" in found.message
    assert "tag 'Custody' for health too" in found.message


def test_a_box_for_others_inside_a_tagged_article_is_found(tmp_path: Path) -> None:
    body = (
        "# Open\n\nEveryone.\n\n## Clinic {for health}\n\nWords.\n\n"
        "::: callout For schools {for schools}\nSee.\n:::\n"
    )
    [found] = findings(tmp_path, body, "narrowed-audience")
    assert "a part for schools sits under 'Clinic', which is for health" in (
        found.message
    )


def test_tags_within_their_container_s_audiences_are_not_found(tmp_path: Path) -> None:
    body = (
        "# Open\n\nEveryone.\n\n# Both {for schools, health}\n\nIntro.\n\n"
        "## Schools {for schools}\n\nWords.\n"
    )
    assert findings(tmp_path, body, "narrowed-audience") == []


def test_readers_left_with_no_section_are_warned_of(tmp_path: Path) -> None:
    body = "# Custody {for police}\n\nPolice words.\n"
    found = findings(tmp_path, body, "empty-variant")
    assert [finding.message.split(" get ")[0] for finding in found] == [
        "readers in no audience"
    ]


def test_every_reader_with_a_section_is_no_finding(tmp_path: Path) -> None:
    body = "# Open\n\nEveryone.\n\n# Custody {for police}\n\nPolice words.\n"
    assert findings(tmp_path, body, "empty-variant") == []
