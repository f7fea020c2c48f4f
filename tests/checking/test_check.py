"""``check_file``: one finding per problem, each with its code, level and place.

Every test writes a minimal edition that is clean but for the one thing it is
about, so a finding of any other kind fails it too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin.checking import GMAIL_CLIP_BYTES, IMAGE_BUDGET_BYTES, Finding, Report
from bulletin.commands.check import check_file
from tests.conftest import EXAMPLES

HEAD = (
    "---\n"
    "title: News - January 2025\n"
    "date: 2025-01-15\n"
    "preheader: Training places and events\n"
    "---\n"
)
"""Five lines: a body starts on line 6."""
SENDER = '[sender]\nname = "Example Partnership"\naddress = "news@example.org"\n'
"""Last in a bulletin.toml: a table ends the file's top-level keys."""
CONFIG = (
    'schema = 1\nunsubscribe_url = "https://www.example.org/unsubscribe?token={token}"\n'
    + SENDER
)
CLEAN = "# Training\n\nBook a [training course](https://www.example.org/training/).\n"

MakePng = Callable[..., Path]


def write(
    folder: Path, body: str, *, head: str = HEAD, config: str | None = CONFIG
) -> Path:
    """Write ``edition.md`` (and ``bulletin.toml`` unless None) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (folder / "bulletin.toml").write_text(config, encoding="utf-8")
    path = folder / "edition.md"
    path.write_text(head + body, encoding="utf-8")
    return path


def only(report: Report, code: str) -> list[Finding]:
    """The findings, after checking they are all of kind ``code``."""
    assert report.findings, f"expected {code}, found nothing"
    assert {item.code for item in report.findings} == {code}, report.findings
    return list(report.findings)


def places(findings: list[Finding]) -> list[str]:
    return [str(item.location) for item in findings]


def test_a_clean_edition_has_no_findings(tmp_path: Path) -> None:
    """The baseline the other tests add one problem to."""
    report = check_file(write(tmp_path, CLEAN))

    assert report.findings == ()
    assert report.passed(strict=True)


# The whole edition -------------------------------------------------------------

SENTENCE = "The partnership met to discuss training places and safeguarding. "


def long_edition(sections: list[tuple[str, int]]) -> str:
    """Sections of ``count`` long paragraphs each (about 3.9 KB of text each)."""
    paragraph = SENTENCE * 60
    return "".join(
        f"# {name}\n\n" + f"{paragraph}\n\n" * count for name, count in sections
    )


def test_clipped_names_the_biggest_sections_and_suggests_a_digest(
    tmp_path: Path,
) -> None:
    body = long_edition([("Small", 1), ("Training", 30), ("News", 4), ("Events", 12)])
    path = write(tmp_path, body)

    report = check_file(path)

    [finding] = only(report, "clipped")
    assert finding.level == "error"
    assert not report.passed()
    assert str(finding.location) == f"{path}:1:1"
    assert report.html_bytes is not None
    assert report.html_bytes > GMAIL_CLIP_BYTES
    assert f"the email is {report.html_bytes / 1024:.0f} KB" in finding.message
    biggest = finding.message.split("Biggest sections: ")[1]
    named = [name for name in ("Training", "Events", "News") if name in biggest]
    assert named == ["Training", "Events", "News"]
    assert biggest.index("Training (") < biggest.index("Events (")
    assert biggest.index("Events (") < biggest.index("News (")
    assert "Small" not in biggest, "only the three biggest are named"
    assert "add digest: true to the front matter" in finding.message


def test_clipped_digest_suggests_shortening_instead(tmp_path: Path) -> None:
    """A digest sends first paragraphs only, so these sections' are huge."""
    head = HEAD.replace(
        "preheader:",
        "digest: true\nview_online_url: https://www.example.org/{slug}.html\npreheader:",
    )
    body = "".join(
        f"# {name}\n\n{SENTENCE * count}\n\nSecond paragraph.\n\n"
        for name, count in [("Training", 1200), ("Events", 600), ("News", 100)]
    )
    path = write(tmp_path, body, head=head)

    report = check_file(path)

    [finding] = only(report, "clipped")
    assert finding.level == "error"
    assert not report.passed()
    assert str(finding.location) == f"{path}:1:1"
    assert "Biggest sections: Training (" in finding.message
    assert "add digest" not in finding.message
    assert finding.message.endswith("To fix: shorten the biggest sections")


def test_an_edition_under_the_clip_is_not_clipped(tmp_path: Path) -> None:
    report = check_file(write(tmp_path, long_edition([("Training", 10)])))

    assert report.html_bytes is not None
    assert 30_000 < report.html_bytes < GMAIL_CLIP_BYTES
    assert report.findings == ()


def test_no_preheader(tmp_path: Path) -> None:
    head = HEAD.replace("preheader: Training places and events\n", "")
    path = write(tmp_path, CLEAN, head=head)

    [finding] = only(check_file(path), "no-preheader")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:2:1"
    assert "add preheader:" in finding.message


def test_duplicate_section(tmp_path: Path) -> None:
    body = "# Training\n\nOne.\n\n# Events\n\nTwo.\n\n# training\n\nThree.\n"
    path = write(tmp_path, body)

    [finding] = only(check_file(path), "duplicate-section")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:14:1"
    assert "section 'training' appears twice (also section 1)" in finding.message


def test_duplicate_article(tmp_path: Path) -> None:
    body = "# Training\n\n## Courses\n\nOne.\n\n## Online\n\nTwo.\n\n## Courses\n\nThree.\n"
    path = write(tmp_path, body)

    [finding] = only(check_file(path), "duplicate-article")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:16:1"
    assert finding.message == "article 'Courses' appears twice in 'Training'"


def test_the_same_article_heading_in_two_sections_is_fine(tmp_path: Path) -> None:
    body = "# Training\n\n## Courses\n\nOne.\n\n# Events\n\n## Courses\n\nTwo.\n"

    assert check_file(write(tmp_path, body)).findings == ()


def test_an_indented_heading_is_placed_at_its_hash(tmp_path: Path) -> None:
    path = write(tmp_path, "# Training\n\nOne.\n\n   # training\n\nTwo.\n")

    [finding] = only(check_file(path), "duplicate-section")

    assert str(finding.location) == f"{path}:10:4"


# What sending needs from the settings -----------------------------------------

MAILTO = 'schema = 1\nunsubscribe_url = "mailto:unsubscribe@example.org"\n' + SENDER
"""Settings a send can go out with, but not unsubscribing in one click."""


def test_no_sender_is_an_error_at_the_top_of_bulletin_toml(tmp_path: Path) -> None:
    config = CONFIG.replace(SENDER, "")
    path = write(tmp_path, CLEAN, config=config)

    [finding] = only(check_file(path), "no-sender")

    assert finding.level == "error"
    assert str(finding.location) == f"{tmp_path / 'bulletin.toml'}:1:1"
    assert finding.message.startswith("no sender: add [sender] with name and address")


def test_no_unsubscribe_is_an_error_at_the_top_of_bulletin_toml(tmp_path: Path) -> None:
    path = write(tmp_path, CLEAN, config="schema = 1\n" + SENDER)

    [finding] = only(check_file(path), "no-unsubscribe")

    assert finding.level == "error"
    assert str(finding.location) == f"{tmp_path / 'bulletin.toml'}:1:1"
    assert finding.message.startswith(
        "no unsubscribe_url in bulletin.toml: bulk mail must let readers unsubscribe"
    )


def test_without_a_bulletin_toml_the_settings_are_at_fault(tmp_path: Path) -> None:
    report = check_file(write(tmp_path, CLEAN, config=None))

    assert [item.code for item in report.findings] == ["no-sender", "no-unsubscribe"]
    assert {item.location.file for item in report.findings} == {None}
    assert {str(item.location) for item in report.findings} == {"settings"}
    assert not report.passed()


@pytest.mark.parametrize(
    "setting",
    [
        'unsubscribe_url = "mailto:unsubscribe@example.org"',
        'unsubscribe_url = "http://www.example.org/u?t={token}"',
        'unsubscribe_mailto = "unsubscribe@example.org"',
    ],
)
def test_unsubscribing_without_one_click_is_a_warning_at_its_line(
    tmp_path: Path, setting: str
) -> None:
    path = write(tmp_path, CLEAN, config=f"schema = 1\n{setting}\n{SENDER}")

    [finding] = only(check_file(path), "no-one-click")

    assert finding.level == "warning"
    assert str(finding.location) == f"{tmp_path / 'bulletin.toml'}:2:1"
    assert finding.message.startswith("unsubscribing cannot take one click: ")
    assert "Gmail and Yahoo" in finding.message
    assert "One-Click" in finding.message


def test_an_unsubscribe_url_without_a_token_is_a_warning(tmp_path: Path) -> None:
    config = (
        'schema = 1\nunsubscribe_url = "https://www.example.org/unsubscribe"\n' + SENDER
    )
    path = write(tmp_path, CLEAN, config=config)

    report = check_file(path)

    [finding] = only(report, "unsubscribe-no-token")
    assert finding.level == "warning"
    assert str(finding.location) == f"{tmp_path / 'bulletin.toml'}:2:1"
    assert "cannot tell who is unsubscribing" in finding.message


# The email's colours -----------------------------------------------------------


def test_contrast_of_a_pale_text_colour_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, CLEAN, config=CONFIG + '[colours]\ntext = "#dddddd"\n')

    report = check_file(path)

    findings = only(report, "contrast")
    assert {item.level for item in findings} == {"error"}
    text = (CONFIG + "[colours]\n").count("\n") + 1
    assert set(places(findings)) == {f"{tmp_path / 'bulletin.toml'}:{text}:1"}
    assert [item.message for item in findings] == [
        "colour text = #dddddd is too light against background (#ffffff) and "
        "callout_background (#eaf1fa): contrast 1.2:1, and text needs 4.5:1 to be "
        "readable; choose a darker text in [colours]"
    ]
    assert not report.passed()


def test_a_pale_brand_gets_dark_words_on_it_and_passes(tmp_path: Path) -> None:
    path = write(tmp_path, CLEAN, config=CONFIG + '[colours]\nbrand = "#dddddd"\n')

    report = check_file(path)

    assert report.findings == ()
    assert report.passed()


def test_a_pale_brand_with_white_words_chosen_is_an_error(tmp_path: Path) -> None:
    config = CONFIG + '[colours]\nbrand = "#dddddd"\nband_text = "#ffffff"\n'

    report = check_file(write(tmp_path, config=config, body=CLEAN))

    assert [item.level for item in only(report, "contrast")] == ["error"]


def test_a_dark_brand_colour_passes_contrast(tmp_path: Path) -> None:
    path = write(tmp_path, CLEAN, config=CONFIG + '[colours]\nbrand = "#123456"\n')

    assert check_file(path).findings == ()


# Links -------------------------------------------------------------------------


def test_vague_link(tmp_path: Path) -> None:
    body = (
        "# Training\n\n"
        "To book, click here: [click here](https://www.example.org/a/).\n"
        "Or [HERE](https://www.example.org/b/).\n"
    )
    path = write(tmp_path, body)

    findings = only(check_file(path), "vague-link")

    assert [item.level for item in findings] == ["warning", "warning"]
    assert places(findings) == [f"{path}:8:22", f"{path}:9:4"]
    assert findings[0].message.startswith("link text 'click here' does not say")
    assert findings[1].message.startswith("link text 'HERE' does not say")
    assert "(https://www.example.org/b/)" in findings[1].message


def test_bare_url_link(tmp_path: Path) -> None:
    body = (
        "# Training\n\n"
        "See [https://www.example.org/training/](https://www.example.org/training/) "
        "or [www.example.org](https://www.example.org/).\n"
    )
    path = write(tmp_path, body)

    findings = only(check_file(path), "bare-url-link")

    assert [item.level for item in findings] == ["warning", "warning"]
    assert places(findings) == [f"{path}:8:5", f"{path}:8:79"]
    assert "'www.example.org' is a web address" in findings[1].message


def test_unlinked_url(tmp_path: Path) -> None:
    path = write(tmp_path, "# Training\n\nSee our site at www.example.org for more.\n")

    [finding] = only(check_file(path), "unlinked-url")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:8:17"
    assert finding.message == (
        "www.example.org is written out but not a link; "
        "write [what it is](https://www.example.org)"
    )


def test_an_email_address_is_not_an_unlinked_url(tmp_path: Path) -> None:
    body = "# Training\n\nWrite to news@www.example.org, or visit our office.\n"

    assert check_file(write(tmp_path, body)).findings == ()


def test_insecure_link(tmp_path: Path) -> None:
    path = write(
        tmp_path, "# Training\n\nSee [our courses](http://www.example.org/training/).\n"
    )

    [finding] = only(check_file(path), "insecure-link")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:8:19"
    assert finding.message.startswith("http://www.example.org/training/ is not secure")


# Dates -------------------------------------------------------------------------


def test_past_event(tmp_path: Path) -> None:
    body = (
        "# Events\n\n"
        "::: event\ntitle: Conference\ndate: 2025-01-10\n:::\n\n"
        "::: event\ntitle: Training day\ndate: 2025-01-15\n:::\n\n"
        "::: event\ntitle: Awareness week\ndate: 2025-01-13 to 2025-01-19\n:::\n"
    )
    path = write(tmp_path, body)

    [finding] = only(check_file(path), "past-event")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:10:1"
    assert finding.message.startswith(
        "event 'Conference' (2025-01-10) is over by the edition's date (2025-01-15)"
    )


def test_past_deadline(tmp_path: Path) -> None:
    body = (
        "# Training\n\n"
        "We first met on 1 March 2024.\n\n"
        "The deadline is 1 March 2024 for applications.\n\n"
        "Book by 1 March 2025.\n"
    )
    path = write(tmp_path, body)

    [finding] = only(check_file(path), "past-deadline")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:10:17"
    assert finding.message.startswith(
        "'1 March 2024' is before the edition's date (2025-01-15)"
    )


# Pictures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alt", "column"), [("image", 3), ("IMG_1234.jpg", 3), ("Photo 3", 3)]
)
def test_vague_alt(tmp_path: Path, make_png: MakePng, alt: str, column: int) -> None:
    make_png("pic.png", (200, 100))
    path = write(tmp_path, f"# Training\n\n![{alt}](pic.png)\n")

    [finding] = only(check_file(path), "vague-alt")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:8:{column}"
    assert finding.message.startswith(f"alt text '{alt}' does not say what")


def test_descriptive_alt_is_fine(tmp_path: Path, make_png: MakePng) -> None:
    make_png("pic.png", (200, 100))
    body = "# Training\n\n![Three trainers at a whiteboard](pic.png)\n"

    assert check_file(write(tmp_path, body)).findings == ()


def test_heavy_image(tmp_path: Path, make_png: MakePng) -> None:
    """Random pixels do not compress: the picture stays heavy after optimising."""
    from PIL import Image as Pillow

    size = (800, 500)
    noise = Pillow.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    noise.save(tmp_path / "noise.png")
    make_png("plain.png", size)  # one colour: light however big
    body = (
        "# Training\n\n"
        "![Three trainers at a whiteboard](plain.png)\n\n"
        "![Static on an old television set](noise.png)\n"
    )
    path = write(tmp_path, body)

    [finding] = only(check_file(path), "heavy-image")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:10:36"
    kilobytes = int(finding.message.split(" is ")[1].split(" KB")[0])
    assert kilobytes * 1024 > IMAGE_BUDGET_BYTES
    assert finding.message.startswith("picture noise.png is ")
    assert "keep pictures under 200 KB" in finding.message


# Load errors and the report ----------------------------------------------------

BROKEN = (
    "# Training\n\n"
    "Text.\n\n"
    "See [the archive](ftp://x.org/).\n\n"
    "<b>Bold</b>\n\n"
    "![](pic.png)\n"
)
"""Three problems, on lines 10, 12 and 14."""


def test_load_errors_are_all_reported_as_findings(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN)

    report = check_file(path)

    findings = only(report, "load")
    assert [item.level for item in findings] == ["error"] * 3
    assert places(findings) == [f"{path}:10:19", f"{path}:12:1", f"{path}:14:1"]
    assert "ftp://x.org/" in findings[0].message
    assert "raw HTML" in findings[1].message
    assert "no alt text" in findings[2].message
    assert report.html_bytes is None
    assert not report.passed()


def test_a_single_load_error_is_a_finding(tmp_path: Path) -> None:
    path = write(tmp_path, "Just some text.\n", head="")

    [finding] = only(check_file(path), "load")

    assert finding.level == "error"
    assert str(finding.location) == f"{path}:1:1"
    assert finding.message.startswith("the file must start with front matter")


def test_a_missing_file_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "missing.md"

    [finding] = only(check_file(path), "load")

    assert finding.level == "error"
    assert finding.location.file == path
    assert finding.message.startswith("cannot read")
    assert "No such file or directory" in finding.message


def test_passed_and_strict(tmp_path: Path) -> None:
    clean = check_file(write(tmp_path / "clean", CLEAN))
    warned = check_file(write(tmp_path / "warned", CLEAN, config=MAILTO))
    failed = check_file(write(tmp_path / "failed", BROKEN))

    assert (clean.passed(), clean.passed(strict=True)) == (True, True)
    assert warned.warnings
    assert not warned.errors
    assert (warned.passed(), warned.passed(strict=True)) == (True, False)
    assert (failed.passed(), failed.passed(strict=True)) == (False, False)


def test_errors_come_first(tmp_path: Path) -> None:
    body = "# Training\n\nSee [our courses](http://www.example.org/training/).\n"
    config = 'schema = 1\n[colours]\ntext = "#dddddd"\n'

    report = check_file(write(tmp_path, body, config=config))

    levels = [item.level for item in report.findings]
    assert levels == sorted(levels), "errors sort before warnings"
    assert levels[0] == "error"
    assert levels[-1] == "warning"


def test_as_dict_is_json(tmp_path: Path) -> None:
    body = "# Training\n\nOr [HERE](https://www.example.org/b/).\n"
    path = write(tmp_path, body, config=MAILTO)
    report = check_file(path)

    loaded = json.loads(json.dumps(report.as_dict()))

    assert loaded["path"] == str(path)
    assert (loaded["errors"], loaded["warnings"]) == (0, 2)
    assert loaded["html_bytes"] == report.html_bytes
    assert loaded["clip_bytes"] == GMAIL_CLIP_BYTES
    vague = next(item for item in loaded["findings"] if item["code"] == "vague-link")
    assert vague == {
        "level": "warning",
        "code": "vague-link",
        "message": vague["message"],
        "file": str(path),
        "line": 8,
        "column": 4,
        "block": "section 'Training'",
    }
    unsubscribe = next(
        item for item in loaded["findings"] if item["code"] == "no-one-click"
    )
    assert unsubscribe["file"] == str(tmp_path / "bulletin.toml")
    assert (unsubscribe["line"], unsubscribe["column"]) == (2, 1)


def test_as_dict_of_load_errors_is_json(tmp_path: Path) -> None:
    loaded = json.loads(json.dumps(check_file(write(tmp_path, BROKEN)).as_dict()))

    assert (loaded["errors"], loaded["warnings"]) == (3, 0)
    assert loaded["html_bytes"] is None
    assert [item["line"] for item in loaded["findings"]] == [10, 12, 14]


# The examples ------------------------------------------------------------------


def test_february_2019_example_is_clean() -> None:
    report = check_file(EXAMPLES / "dscb-2019-02" / "edition.md")

    assert report.findings == ()
    assert report.passed(strict=True)


def test_january_2025_example_has_only_warnings() -> None:
    """The source really says "click HERE": the check should say so."""
    path = EXAMPLES / "dscp-2025-01" / "edition.md"

    report = check_file(path)

    assert report.errors == []
    assert report.warnings
    assert report.passed()
    assert not report.passed(strict=True)
    here = [
        item
        for item in report.findings
        if item.code == "vague-link" and "'HERE'" in item.message
    ]
    assert [item.location.line for item in here] == [68, 216]
    lines = path.read_text(encoding="utf-8").splitlines()
    for item in here:
        line, column = item.location.line, item.location.column
        assert line is not None
        assert column is not None
        written = lines[line - 1][column - 1 :]
        assert written.startswith("[HERE](")


def test_a_field_without_a_default(tmp_path: Path) -> None:
    path = write(tmp_path, "Hello {{ first_name }},\n\n# Training\n\nBook now.\n")

    [finding] = only(check_file(path), "field-without-default")

    assert finding.level == "warning"
    assert str(finding.location) == f"{path}:6:7"
    assert "give one, e.g. {{ first_name | colleague }}" in finding.message
