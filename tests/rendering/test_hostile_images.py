"""A picture file cannot start another program, exhaust memory or leak a file."""

from __future__ import annotations

import datetime as dt
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from bulletin import ContentError, Edition, render
from bulletin.loading.source import load
from bulletin.rendering.images import MAX_PIXELS


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few dozen bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def render_picture(path: Path) -> None:
    edition = Edition("News", dt.date(2025, 1, 15))
    edition.section("Pictures").image(path.name, "A picture")
    render(edition, base_dir=path.parent)


def test_an_eps_file_named_png_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "picture.png"
    path.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")

    with pytest.raises(ContentError, match="is not a PNG, JPEG, GIF or WebP picture"):
        render_picture(path)


@pytest.mark.parametrize(
    "size", [(30_000, 30_000), (10_000, 5_000)], ids=["bomb", "over-the-cap"]
)
def test_a_picture_with_too_many_pixels_is_refused_unread(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    path = tmp_path / "picture.png"
    path.write_bytes(png_header(*size))
    assert size[0] * size[1] > MAX_PIXELS

    with pytest.raises(ContentError) as caught:
        render_picture(path)

    assert "\n" not in str(caught.value)
    assert "picture.png" in str(caught.value)


def edition_with(folder: Path, text: str) -> Path:
    path = folder / "edition.md"
    path.write_text(
        f"---\ntitle: News\ndate: 2025-01-15\n---\n# Pictures\n\n{text}\n",
        encoding="utf-8",
    )
    return path


def test_a_picture_outside_the_editions_folder_is_refused(
    tmp_path: Path, make_png: Callable[..., Path]
) -> None:
    make_png("secret.png")
    folder = tmp_path / "news"
    folder.mkdir()

    with pytest.raises(ContentError) as caught:
        load(edition_with(folder, "![A picture](../secret.png)"))

    assert "outside the edition's folder" in str(caught.value)
    assert caught.value.location.line == 7


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_link_inside_the_folder_to_a_picture_outside_is_refused(
    tmp_path: Path, make_png: Callable[..., Path]
) -> None:
    outside = make_png("secret.png")
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "innocent.png").symlink_to(outside)

    with pytest.raises(ContentError, match="outside the edition's folder"):
        load(edition_with(folder, "![A picture](innocent.png)"))


def test_a_logo_in_front_matter_outside_the_folder_is_refused(
    tmp_path: Path, make_png: Callable[..., Path]
) -> None:
    make_png("secret.png")
    folder = tmp_path / "news"
    folder.mkdir()
    path = folder / "edition.md"
    path.write_text(
        "---\ntitle: News\ndate: 2025-01-15\nlogo:\n  src: ../secret.png\n  alt: Us\n"
        "---\n# A\n\nText.\n",
        encoding="utf-8",
    )

    with pytest.raises(
        ContentError, match=r"logo file '\.\./secret\.png' is outside"
    ) as caught:
        load(path)

    assert caught.value.location.line == 5


def test_pictures_beside_the_edition_and_bulletin_toml_are_used(
    tmp_path: Path, make_png: Callable[..., Path]
) -> None:
    make_png("shared.png")
    (tmp_path / "bulletin.toml").write_text("schema = 1\n", encoding="utf-8")
    folder = tmp_path / "2025-01"
    folder.mkdir()
    make_png("2025-01/own.png", (300, 200))

    source = load(edition_with(folder, "![Own](own.png)\n\n![Shared](../shared.png)"))

    rendered = render(source.edition, source.settings, base_dir=source.base_dir)
    assert len(rendered.assets) == 2
