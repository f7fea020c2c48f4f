"""``archive_url``: List-Archive and Archived-At (RFC 5064), and "view online" into the archive."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import re
import shutil
from email.policy import SMTP
from pathlib import Path

import pytest

from bulletin import ContentError, Edition, Sender, Settings, render
from bulletin.commands.build import build
from bulletin.mail.message import MessageTemplate
from tests.conftest import EXAMPLES, Example

ARCHIVE = "https://www.example.org/newsletters"


def headers(example: Example, settings: Settings) -> email.message.Message:
    rendered = render(example.edition, settings, base_dir=example.folder)
    data = MessageTemplate(rendered, settings, example.edition.date).personal().data
    return email.message_from_bytes(data, policy=SMTP)


def test_archive_url_adds_list_archive_and_archived_at(
    examples: dict[str, Example],
) -> None:
    example = examples["dscb-2019-02"]
    settings = dataclasses.replace(example.settings, archive_url=ARCHIVE + "/")

    message = headers(example, settings)

    assert message["List-Archive"] == f"<{ARCHIVE}>"
    assert message["Archived-At"] == f"<{ARCHIVE}/february-2019-newsletter.html>"
    assert message["List-Id"] is not None
    assert message["List-Unsubscribe"] is not None


def test_without_archive_url_there_are_no_archive_headers(
    examples: dict[str, Example],
) -> None:
    example = examples["dscb-2019-02"]
    assert example.settings.archive_url is None

    message = headers(example, example.settings)

    assert message["List-Archive"] is None
    assert message["Archived-At"] is None


def test_archive_headers_change_the_fingerprint(examples: dict[str, Example]) -> None:
    example = examples["dscb-2019-02"]
    settings = dataclasses.replace(example.settings, archive_url=ARCHIVE)
    rendered = render(example.edition, settings, base_dir=example.folder)
    date = example.edition.date

    with_archive = MessageTemplate(rendered, settings, date).fingerprint
    without = MessageTemplate(rendered, example.settings, date).fingerprint

    assert with_archive != without


def test_the_built_eml_carries_the_archive_headers(tmp_path: Path) -> None:
    folder = tmp_path / "edition"
    shutil.copytree(EXAMPLES / "dscb-2019-02", folder)
    toml = folder / "bulletin.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            "view_online_url =", f'archive_url = "{ARCHIVE}"\nview_online_url =', 1
        ),
        encoding="utf-8",
    )

    built = build(folder / "edition.md", tmp_path / "out")

    eml = (tmp_path / "out" / f"{built.rendered.slug}.eml").read_bytes()
    assert f"\r\nList-Archive: <{ARCHIVE}>\r\n".encode() in eml
    assert (
        f"\r\nArchived-At: <{ARCHIVE}/february-2019-newsletter.html>\r\n".encode()
        in eml
    )


def test_view_online_points_into_the_archive_without_view_online_url() -> None:
    edition = Edition("News - March 2025", dt.date(2025, 3, 14))
    edition.section("Training").paragraph("Book now.")
    settings = Settings(archive_url=ARCHIVE, sender=Sender("Ex", "news@example.org"))

    rendered = render(edition, settings)

    page = f"{ARCHIVE}/news-march-2025.html"
    assert f'href="{page}"' in rendered.html
    assert page in rendered.text
    assert page not in rendered.web_html, "the web copy does not link to itself"


def test_view_online_url_wins_over_the_archive() -> None:
    edition = Edition("News - March 2025", dt.date(2025, 3, 14))
    edition.section("Training").paragraph("Book now.")
    settings = Settings(
        archive_url=ARCHIVE, view_online_url="https://web.example.org/{slug}"
    )

    rendered = render(edition, settings)

    assert 'href="https://web.example.org/news-march-2025"' in rendered.html
    assert f"{ARCHIVE}/news-march-2025.html" not in rendered.html


def test_a_digest_can_read_more_in_the_archive() -> None:
    edition = Edition("News - March 2025", dt.date(2025, 3, 14))
    edition.section("Training").paragraph("Book now.").paragraph("More words.")

    rendered = render(edition, Settings(archive_url=ARCHIVE), digest=True)

    assert f"{ARCHIVE}/news-march-2025.html#" in rendered.html


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://www.example.org/news", "must be an https:// address"),
        ("/newsletters", "write the full https://"),
        ("https://www.example.org/{slug}.html", "no {slug}"),
        ("https://www.example.org/news?x=1", "no {slug}, ? or #"),
        ("https://www.example.org/news\r\nBcc: x@example.org", "control character"),
        ("https://www.example.org/<news>", "contains '<'"),
    ],
)
def test_archive_url_is_checked(url: str, problem: str) -> None:
    with pytest.raises(ContentError, match=re.escape(problem)) as caught:
        Settings(archive_url=url)

    assert caught.value.key == ("archive_url",)
