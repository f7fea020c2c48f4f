"""``scaffold``: a bulletin.toml and a sample edition that shows the whole format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image as Pillow

from bulletin.commands.build import build
from bulletin.commands.check import check_file
from bulletin.commands.new import scaffold
from bulletin.errors import ContentError
from bulletin.loading.source import load
from bulletin.model.blocks import (
    Block,
    BulletList,
    Button,
    Callout,
    Contact,
    Divider,
    Event,
    Image,
    ListItem,
    Paragraph,
    Quote,
    Subheading,
    Table,
)
from bulletin.model.edition import Edition
from bulletin.model.text import Emphasis, Field, Inline, Link, Strong, Text

TODAY = dt.date(2025, 1, 15)


@pytest.fixture
def made(tmp_path: Path) -> list[Path]:
    """A scaffolded folder, dated 15 January 2025."""
    return scaffold(tmp_path / "news", today=TODAY)


def all_blocks(edition: Edition) -> Iterator[Block]:
    yield from edition.intro
    for section in edition.sections:
        yield from section.blocks
        for article in section.articles:
            yield from article.blocks


def texts(block: Block) -> Iterator[Text]:
    if isinstance(block, Paragraph | Callout | Quote):
        yield block.text
    if isinstance(block, BulletList):
        stack: list[ListItem] = list(block.items)
        while stack:
            item = stack.pop()
            yield item.text
            stack.extend(item.children)


def inlines(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    for node in nodes:
        yield node
        if isinstance(node, Strong | Emphasis | Link):
            yield from inlines(node.children)


def test_scaffold_writes_four_files(made: list[Path], tmp_path: Path) -> None:
    folder = tmp_path / "news"

    assert made == [
        folder / "bulletin.toml",
        folder / "edition.md",
        folder / "images" / "logo.png",
        folder / "images" / "picture.png",
    ]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "bulletin.toml",
        "edition.md",
        "images",
        "images/logo.png",
        "images/picture.png",
    ]
    for picture in made[2:]:
        with Pillow.open(picture) as opened:
            assert opened.format == "PNG"
    assert list(folder.rglob(".*")) == [], "no temporary files left"


def test_the_sample_builds_and_checks_cleanly(made: list[Path], tmp_path: Path) -> None:
    """The sample "builds cleanly as written": not a single finding."""
    edition = made[1]

    report = check_file(edition)
    built = build(edition, tmp_path / "out")

    assert report.findings == ()
    assert built.warnings == ()
    assert built.rendered.slug == "example-partnership-news-january-2025"
    assert {path.suffix for path in built.files} == {".png", ".html", ".txt", ".eml"}


def test_the_sample_is_dated_today_and_its_event_30_days_later(
    made: list[Path],
) -> None:
    source = load(made[1])
    [event] = [
        block for block in all_blocks(source.edition) if isinstance(block, Event)
    ]

    assert source.edition.date == TODAY
    assert source.edition.title == "Example Partnership News - January 2025"
    assert event.date == dt.date(2025, 2, 14)
    assert event.date - TODAY == dt.timedelta(days=30)


def test_the_event_crosses_a_year_end(tmp_path: Path) -> None:
    [_, edition, *_] = scaffold(tmp_path, today=dt.date(2025, 12, 20))
    source = load(edition)

    [event] = [
        block for block in all_blocks(source.edition) if isinstance(block, Event)
    ]

    assert source.edition.title == "Example Partnership News - December 2025"
    assert event.date == dt.date(2026, 1, 19)
    assert check_file(edition).findings == ()


@pytest.mark.parametrize("existing", ["bulletin.toml", "edition.md"])
def test_refuses_to_overwrite(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("mine\n", encoding="utf-8")

    with pytest.raises(ContentError, match="is already there") as caught:
        scaffold(tmp_path, today=TODAY)

    assert caught.value.location.file == tmp_path / existing
    assert (tmp_path / existing).read_text(encoding="utf-8") == "mine\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [existing], (
        "nothing else was written"
    )


def test_a_second_scaffold_changes_nothing(made: list[Path]) -> None:
    before = {path: path.read_bytes() for path in made}

    with pytest.raises(ContentError):
        scaffold(made[0].parent, today=dt.date(2026, 6, 1))

    assert {path: path.read_bytes() for path in made} == before


def test_does_not_overwrite_an_existing_picture(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "logo.png").write_bytes(b"our own logo")

    with pytest.raises(ContentError, match=r"logo\.png: is already there"):
        scaffold(tmp_path, today=TODAY)

    assert (tmp_path / "images" / "logo.png").read_bytes() == b"our own logo"


def test_the_sample_uses_every_part_of_the_format(made: list[Path]) -> None:
    edition = load(made[1]).edition
    blocks = list(all_blocks(edition))

    def having(kind: type[Block]) -> list[Block]:
        return [block for block in blocks if isinstance(block, kind)]

    assert having(Paragraph)
    lists = [block for block in blocks if isinstance(block, BulletList)]
    assert {block.numbered for block in lists} == {True, False}
    assert any(item.children for block in lists for item in block.items), "nested"
    images = [block for block in blocks if isinstance(block, Image)]
    assert any(image.width and image.caption for image in images)
    assert any(block.attribution for block in blocks if isinstance(block, Quote))
    assert having(Divider)
    assert having(Button)
    assert having(Event)
    assert any(block.title for block in blocks if isinstance(block, Callout))
    assert having(Contact)
    assert any(block.caption for block in blocks if isinstance(block, Table))
    assert having(Subheading)
    assert any(section.articles for section in edition.sections)
    assert len(edition.sections) >= 2
    assert edition.preheader
    nodes = [
        node
        for block in blocks
        for text in texts(block)
        for node in inlines(text.nodes)
    ]
    assert any(isinstance(node, Field) and node.default for node in nodes)
    assert any(isinstance(node, Strong) for node in nodes)
    assert any(isinstance(node, Emphasis) for node in nodes)
    assert any(isinstance(node, Link) for node in nodes)
