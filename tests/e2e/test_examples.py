"""The example bulletins: golden files, and nothing of the reference text lost."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from bulletin.checking.limits import GMAIL_CLIP_BYTES
from tests.conftest import EXAMPLE_NAMES, REFERENCE, Example

GOLDEN = Path(__file__).parent / "golden"
REFERENCES = {
    "dscp-2025-01": "dscp-newsletter-2025-01.txt",
    "dscb-2019-02": "dscb-newsletter-2019-02.txt",
}
ANNUAL_REPORT = "escp-annual-report-2024-25"
"""The long fictional example: no reference bulletin, sent as a digest."""
# Lines of the reference that are not content: the logo placeholder (the logo's
# alt text carries it), MailPoet's advert, and the contact heading, whose colon
# the layout does not repeat.
NOT_CONTENT = {"DSCP logo", "Email Marketing Powered by MailPoet", "Contact us:"}


def readable(document: str) -> str:
    """One line per tag, so a golden diff shows what changed."""
    return re.sub(r">\s*<", ">\n<", document).strip() + "\n"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_html_golden(name: str, examples: dict[str, Example], file_regression) -> None:  # type: ignore[no-untyped-def]
    file_regression.check(
        readable(examples[name].rendered.html), fullpath=GOLDEN / f"{name}.html"
    )


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_text_golden(name: str, examples: dict[str, Example], file_regression) -> None:  # type: ignore[no-untyped-def]
    file_regression.check(examples[name].rendered.text, fullpath=GOLDEN / f"{name}.txt")


def sentences(reference: Path) -> list[str]:
    """Every sentence and list item of a reference bulletin."""
    found: list[str] = []
    for raw in reference.read_text(encoding="utf-8").splitlines():
        line = " ".join(raw.replace("\u2022", " ").replace("\u00b7", " ").split())
        if not line or line in NOT_CONTENT:
            continue
        found.extend(
            part.strip() for part in re.split(r"(?<=[.!?])\s+", line) if part.strip()
        )
    return found


def visible_text(document: str) -> str:
    body = document[document.index("<body") :]
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def flat_text(text: str) -> str:
    """The plain text without link numbers and quote marks, on one line."""
    unquoted = re.sub(r"^> ", "", text, flags=re.M)
    return " ".join(re.sub(r"\s\[\d+\]", "", unquoted).split())


def normalise(value: str) -> str:
    """Drop spaces (tags and wrapping add them) and commas (address lines lose theirs)."""
    return re.sub(r"[\s,]+", "", value)


@pytest.mark.parametrize("form", ["html", "text"])
@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_every_reference_sentence_is_in_the_output(
    name: str, form: str, examples: dict[str, Example]
) -> None:
    rendered = examples[name].rendered
    shown = visible_text(rendered.html) if form == "html" else flat_text(rendered.text)
    built = normalise(shown)
    missing = [
        s for s in sentences(REFERENCE / REFERENCES[name]) if normalise(s) not in built
    ]
    assert missing == []


def test_reference_has_many_sentences() -> None:
    """The completeness tests compare something: guard against an empty split."""
    assert len(sentences(REFERENCE / REFERENCES["dscp-2025-01"])) > 150
    assert len(sentences(REFERENCE / REFERENCES["dscb-2019-02"])) > 60


def test_january_2025_html_stays_under_the_size_budget(
    examples: dict[str, Example],
) -> None:
    """Gmail clips at about 102 KB; the layout budget for this edition is 60 KB."""
    assert len(examples["dscp-2025-01"].rendered.html.encode()) <= 60_000


def test_annual_report_is_long_and_its_digest_fits_under_the_clip(
    examples: dict[str, Example],
) -> None:
    """60 KB of Markdown; the digest email well under Gmail's clip, the web copy whole."""
    report = examples[ANNUAL_REPORT]
    source = (report.folder / "edition.md").read_bytes()
    assert len(source) >= 60 * 1024
    email = report.rendered.html.encode()
    assert len(email) <= 80_000 < GMAIL_CLIP_BYTES
    # The last glossary entry is deep in an article: only the web copy has it.
    last_entry = "places the same duty on schools and colleges"
    assert last_entry not in visible_text(report.rendered.html)
    assert last_entry not in report.rendered.text
    assert last_entry in visible_text(report.rendered.web_html)
