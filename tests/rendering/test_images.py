"""Preparing images: resizing, re-encoding, hashing and where each one is referred to."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import ExifTags
from PIL import Image as Pillow

from bulletin.errors import ContentError
from bulletin.model.blocks import Image
from bulletin.model.rendered import Asset
from bulletin.rendering.context import ImageRef
from bulletin.rendering.images import prepare_images

BLUE = (0, 0, 255)
RED = (200, 10, 10)


def _prepare(
    base_dir: Path,
    *images: tuple[Image, int],
    base_url: str | None = None,
    web: bool = False,
) -> tuple[dict[Image, ImageRef], tuple[Asset, ...]]:
    return prepare_images(images, base_dir, base_url=base_url, web=web)


def _open(asset: Asset) -> Pillow.Image:
    return Pillow.open(io.BytesIO(asset.data))


@pytest.fixture
def phone_photo(tmp_path: Path) -> Path:
    """A 400x200 JPEG, blue on its left quarter, with orientation 6 and GPS EXIF."""
    picture = Pillow.new("RGB", (400, 200), RED)
    picture.paste(BLUE, (0, 0, 100, 200))
    exif = Pillow.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown turned 90 degrees clockwise
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (54.0, 46.0, 30.0),
    }
    path = tmp_path / "photo.jpg"
    picture.save(path, exif=exif.tobytes())
    with Pillow.open(path) as saved:  # the file really carries what we think
        assert saved.getexif()[ExifTags.Base.Orientation] == 6
        assert saved.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return path


# Resizing and re-encoding -------------------------------------------------------


def test_large_png_is_resized_to_twice_its_display_width(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("big.png", (2000, 1000))
    image = Image("big.png", "A chart")

    refs, (asset,) = _prepare(tmp_path, (image, 552))

    assert (asset.width, asset.height) == (1104, 552)
    assert asset.content_type == "image/png"
    assert asset.name.endswith(".png")
    with _open(asset) as opened:
        assert opened.format == "PNG"
        assert opened.size == (1104, 552)
    assert (refs[image].width, refs[image].height) == (552, 276)


def test_image_width_narrower_than_the_column_is_used(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("big.png", (2000, 1000))
    image = Image("big.png", "A chart", width=200)

    refs, (asset,) = _prepare(tmp_path, (image, 552))

    assert asset.width == 400
    assert (refs[image].width, refs[image].height) == (200, 100)


def test_image_width_wider_than_the_column_is_capped(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("big.png", (2000, 1000))
    image = Image("big.png", "A chart", width=1000)

    refs, (asset,) = _prepare(tmp_path, (image, 552))

    assert asset.width == 1104
    assert refs[image].width == 552


def test_transparent_png_stays_transparent(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("logo.png", (1500, 300), mode="RGBA")

    _, (asset,) = _prepare(tmp_path, (Image("logo.png", "Logo"), 552))

    with _open(asset) as opened:
        assert opened.format == "PNG"
        assert opened.mode == "RGBA"


def test_jpeg_loses_its_exif_and_is_turned_upright(
    phone_photo: Path, tmp_path: Path
) -> None:
    image = Image(phone_photo.name, "A photo")

    refs, (asset,) = _prepare(tmp_path, (image, 552))

    assert asset.content_type == "image/jpeg"
    assert asset.name.endswith(".jpg")
    assert (asset.width, asset.height) == (200, 400)
    assert (refs[image].width, refs[image].height) == (200, 400)
    with _open(asset) as opened:
        assert opened.format == "JPEG"
        assert "exif" not in opened.info
        assert len(opened.getexif()) == 0
        # Turned clockwise: the blue left edge is now along the top.
        top = opened.convert("RGB").getpixel((100, 20))
        bottom = opened.convert("RGB").getpixel((100, 380))
    assert top[2] > 200, top
    assert top[0] < 50, top
    assert bottom[0] > 150, bottom
    assert bottom[2] < 60, bottom
    assert b"PhoneCo" not in asset.data


def test_small_image_is_not_upscaled(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("small.png", (300, 150))
    image = Image("small.png", "A badge")

    refs, (asset,) = _prepare(tmp_path, (image, 552))

    assert (asset.width, asset.height) == (300, 150)
    assert refs[image].width == 300
    assert refs[image].height == 150


# Names and deduplication -------------------------------------------------------------


def test_names_are_content_hashes(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("one.png", (300, 150))
    shutil.copy(tmp_path / "one.png", tmp_path / "two.png")
    make_png("other.png", (301, 150))
    one, two, other = (
        Image("one.png", "One"),
        Image("two.png", "Two"),
        Image("other.png", "Other"),
    )

    refs, assets = _prepare(tmp_path, (one, 552), (two, 552), (other, 552))

    assert all(re.fullmatch(r"[0-9a-f]{16}\.png", asset.name) for asset in assets)
    assert refs[one].src == refs[two].src
    assert refs[one].src != refs[other].src
    assert len(assets) == 2
    assert len({asset.name for asset in assets}) == 2


def test_same_bytes_give_the_same_name_in_another_folder(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("one.png", (300, 150))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(tmp_path / "one.png", elsewhere / "renamed.png")

    _, (first,) = _prepare(tmp_path, (Image("one.png", "One"), 552))
    _, (second,) = _prepare(elsewhere, (Image("renamed.png", "One"), 552))

    assert first.name == second.name
    assert first.data == second.data


def test_the_same_image_twice_is_prepared_once(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("one.png", (2000, 1000))
    image = Image("one.png", "One")

    refs, assets = _prepare(tmp_path, (image, 552), (image, 300))

    assert len(assets) == 1
    assert refs[image].width == 552, "the first (widest) width wins"


def test_asset_path_is_under_assets(
    make_png: Callable[..., Path], tmp_path: Path
) -> None:
    make_png("one.png", (300, 150))

    _, (asset,) = _prepare(tmp_path, (Image("one.png", "One"), 552))

    assert asset.path == f"assets/{asset.name}"


# Where each image is referred to ---------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "web", "expected"),
    [
        (
            "https://cdn.example.org/news",
            False,
            "https://cdn.example.org/news/assets/{}",
        ),
        (
            "https://cdn.example.org/news",
            True,
            "https://cdn.example.org/news/assets/{}",
        ),
        (None, False, "cid:{}"),
        (None, True, "assets/{}"),
    ],
)
def test_image_src(
    make_png: Callable[..., Path],
    tmp_path: Path,
    base_url: str | None,
    web: bool,
    expected: str,
) -> None:
    make_png("one.png", (300, 150))
    image = Image("one.png", "One")

    refs, (asset,) = _prepare(tmp_path, (image, 552), base_url=base_url, web=web)

    assert refs[image].src == expected.format(asset.name)


def test_https_image_is_left_as_a_url(tmp_path: Path) -> None:
    image = Image("https://example.org/chart.png", "A chart", width=300)

    refs, assets = _prepare(tmp_path, (image, 552), base_url="https://cdn.example.org")

    assert refs[image] == ImageRef("https://example.org/chart.png", 300, None)
    assert assets == ()


def test_https_image_without_width_takes_the_column_width(tmp_path: Path) -> None:
    image = Image("https://example.org/chart.png", "A chart")

    refs, _ = _prepare(tmp_path, (image, 552))

    assert refs[image].width == 552


# Failures -----------------------------------------------------------------------


def test_missing_file_names_it_and_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        _prepare(tmp_path, (Image("images/missing.png", "Gone"), 552))

    message = str(caught.value)
    assert "'images/missing.png' not found" in message
    assert f"looked for {tmp_path.resolve() / 'images' / 'missing.png'}" in message
    assert caught.value.location.block == "image"


def test_file_that_is_not_a_picture_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_text("not a picture")

    with pytest.raises(ContentError) as caught:
        _prepare(tmp_path, (Image("x.png", "X"), 552))

    message = str(caught.value)
    assert "'x.png' is not a PNG, JPEG, GIF or WebP picture" in message
    assert "PNG, JPEG" in message


def test_animated_gif_is_refused(tmp_path: Path) -> None:
    frames = [Pillow.new("RGB", (40, 40), colour) for colour in (RED, BLUE, RED)]
    frames[0].save(
        tmp_path / "spinner.gif", save_all=True, append_images=frames[1:], duration=100
    )
    with Pillow.open(tmp_path / "spinner.gif") as saved:
        assert saved.is_animated

    with pytest.raises(ContentError) as caught:
        _prepare(tmp_path, (Image("spinner.gif", "Spinner"), 552))

    assert "'spinner.gif' is animated" in str(caught.value)
    assert "still picture" in str(caught.value)


def test_still_gif_becomes_png(tmp_path: Path) -> None:
    Pillow.new("RGB", (40, 40), RED).save(tmp_path / "dot.gif")

    _, (asset,) = _prepare(tmp_path, (Image("dot.gif", "A dot"), 552))

    assert asset.content_type == "image/png"
    assert asset.name.endswith(".png")
