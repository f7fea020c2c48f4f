"""Draw the small placeholder pictures used by the example editions.

Run from anywhere: ``python examples/make_images.py``. The output is
deterministic (no randomness, no timestamps), so re-running it rewrites the
same files. Every file is kept under 40 KB.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
MAX_BYTES = 40 * 1024


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's built-in font, scaled where this Pillow can (10.1 and later)."""
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow 10.0: only the small bitmap font
        return ImageFont.load_default()


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _gradient(size: tuple[int, int], top: str, bottom: str) -> Image.Image:
    width, height = size
    start, end = _rgb(top), _rgb(bottom)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    return image


def logo(path: Path, initials: str, brand: str, accent: str) -> None:
    """A 400x120 logo: a brand-coloured band, three rings and the initials."""
    image = Image.new("RGB", (400, 120), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([4, 4, 395, 115], radius=18, fill=brand)
    for index, colour in enumerate((accent, "#ffffff", accent)):
        x = 30 + index * 28
        draw.ellipse([x, 30, x + 60, 90], outline=colour, width=6)
    font = _font(56)
    draw.text((150, 60), initials, fill="#ffffff", font=font, anchor="lm")
    _save(image, path)


def fireworks(path: Path) -> None:
    """An 800x500 night sky with firework bursts, for a New Year greeting."""
    image = _gradient((800, 500), "#0b1a3a", "#1d4f91")
    draw = ImageDraw.Draw(image)
    bursts = [
        ((200, 170), 110, "#ffd447"),
        ((520, 120), 90, "#ff7aa2"),
        ((640, 300), 120, "#7fe3ff"),
        ((330, 330), 70, "#b6ff8a"),
    ]
    for (cx, cy), radius, colour in bursts:
        for ray in range(10):
            angle = 2 * math.pi * ray / 10
            inner = radius * 0.25
            x0, y0 = cx + inner * math.cos(angle), cy + inner * math.sin(angle)
            x1, y1 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
            draw.line([(x0, y0), (x1, y1)], fill=colour, width=5)
            draw.ellipse([x1 - 6, y1 - 6, x1 + 6, y1 + 6], fill=colour)
    draw.rectangle([0, 460, 800, 500], fill="#08122a")
    # A slight blur gives the bursts a glow and keeps the JPEG small.
    _save(image.filter(ImageFilter.GaussianBlur(1.5)), path)


def heart(path: Path) -> None:
    """An 800x500 soft pink background with a red heart, for a kindness piece."""
    image = _gradient((800, 500), "#ffe3ec", "#ffb3c7")
    draw = ImageDraw.Draw(image)
    cx, cy, size = 400, 250, 11
    points = []
    for step in range(360):
        t = math.radians(step)
        x = 16 * math.sin(t) ** 3
        y = (
            13 * math.cos(t)
            - 5 * math.cos(2 * t)
            - 2 * math.cos(3 * t)
            - math.cos(4 * t)
        )
        points.append((cx + size * x, cy - size * y))
    draw.polygon(points, fill="#c8102e")
    _save(image, path)


def laptop(path: Path) -> None:
    """An 800x500 picture of a laptop showing a padlock, for online safety."""
    image = _gradient((800, 500), "#e6f2ea", "#b9dcc5")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([190, 90, 610, 360], radius=14, fill="#2b2b2b")
    draw.rectangle([210, 110, 590, 340], fill="#dff1ff")
    draw.polygon([(140, 370), (660, 370), (700, 410), (100, 410)], fill="#4a4a4a")
    draw.rectangle([360, 378, 440, 388], fill="#2b2b2b")
    # the padlock
    draw.arc([355, 150, 445, 240], start=180, end=360, fill="#1f5c3a", width=14)
    draw.rectangle([345, 195, 455, 300], fill="#1f5c3a")
    draw.ellipse([388, 225, 412, 249], fill="#dff1ff")
    draw.rectangle([396, 240, 404, 275], fill="#dff1ff")
    _save(image, path)


def planning(path: Path) -> None:
    """An 800x450 picture of four people round a table with a sheet of paper."""
    image = _gradient((800, 450), "#f6eef6", "#e2cde2")
    draw = ImageDraw.Draw(image)
    draw.ellipse([150, 190, 650, 400], fill="#b58a5a")  # the table
    draw.polygon([(300, 250), (500, 240), (520, 330), (290, 340)], fill="#ffffff")
    for x0, x1, y, colour in [(320, 480, 270, "#6b2d6b"), (320, 440, 295, "#2a7ab0")]:
        draw.line([(x0, y), (x1, y)], fill=colour, width=6)
    people = [
        ((400, 120), "#6b2d6b"),
        ((170, 200), "#2a7ab0"),
        ((630, 200), "#d9822b"),
        ((400, 430), "#3f8f4f"),
    ]
    for (cx, cy), colour in people:
        draw.ellipse([cx - 70, cy - 10, cx + 70, cy + 110], fill=colour)  # shoulders
        draw.ellipse([cx - 32, cy - 70, cx + 32, cy - 6], fill="#8d5a3b")  # head
    _save(image.filter(ImageFilter.GaussianBlur(1)), path)


def bar_chart(path: Path, values: list[tuple[str, int]], colour: str) -> None:
    """An 800x400 bar chart of ``values`` (label, count), labelled with counts."""
    image = Image.new("RGB", (800, 400), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = _font(22)
    top = max(count for _, count in values)
    draw.line([(60, 340), (760, 340)], fill="#444444", width=2)
    step = 700 // len(values)
    for index, (label, count) in enumerate(values):
        x = 60 + index * step + step // 5
        height = round(260 * count / top)
        draw.rectangle([x, 340 - height, x + step * 3 // 5, 340], fill=colour)
        middle = x + step * 3 // 10
        draw.text(
            (middle, 330 - height), str(count), fill="#222222", font=font, anchor="md"
        )
        draw.text((middle, 352), label, fill="#222222", font=font, anchor="ma")
    _save(image, path)


def _save(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".png":
        image.save(path, optimize=True)
    else:
        image.save(path, quality=80, optimize=True)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(
            f"{path} is {size} bytes; keep example images under {MAX_BYTES}"
        )
    print(f"{path.relative_to(HERE)}  {image.width}x{image.height}  {size} bytes")


def main() -> None:
    dscp = HERE / "dscp-2025-01" / "images"
    logo(dscp / "logo.png", "DSCP", "#1d4f91", "#f2b705")
    fireworks(dscp / "new-year.jpg")
    heart(dscp / "kindness.jpg")

    dscb = HERE / "dscb-2019-02" / "images"
    logo(dscb / "logo.png", "DSCB", "#1f5c3a", "#9fd3b0")
    laptop(dscb / "online-safety.jpg")

    escp = HERE / "escp-annual-report-2024-25" / "images"
    logo(escp / "logo.png", "ESCP", "#6b2d6b", "#f0c2e6")
    planning(escp / "young-inspectors.jpg")
    quarters = [
        ("Apr-Jun", 1318),
        ("Jul-Sep", 1046),
        ("Oct-Dec", 1502),
        ("Jan-Mar", 1611),
    ]
    bar_chart(escp / "training-by-quarter.png", quarters, "#6b2d6b")


if __name__ == "__main__":
    main()
