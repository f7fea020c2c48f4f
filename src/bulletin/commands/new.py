"""``bulletin new``: a folder with a bulletin.toml and a sample edition to copy from.

The sample shows every part of the format and builds cleanly as written; its
dates are set from today, so its event is still to come.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bulletin.errors import ContentError, Location
from bulletin.files import write_atomic
from bulletin.loading.config import CONFIG_NAME

__all__ = ["EDITION_NAME", "scaffold"]

EDITION_NAME = "edition.md"
STARTER = Path(__file__).parent / "starter"
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def scaffold(folder: Path, *, today: dt.date | None = None) -> list[Path]:
    """Write ``bulletin.toml``, ``edition.md`` and two pictures into ``folder``.

    Raises:
        ContentError: one of the files is already there (nothing is overwritten).
    """
    today = today or dt.date.today()
    targets = [folder / CONFIG_NAME, folder / EDITION_NAME]
    images = folder / "images"
    pictures = [images / "logo.png", images / "picture.png"]
    for target in (*targets, *pictures):
        if target.exists():
            raise ContentError(
                "is already there and bulletin new never overwrites; choose a new "
                "folder, e.g. bulletin new my-bulletin",
                Location(file=target),
            )
    event = today + dt.timedelta(days=30)
    edition = (
        (STARTER / EDITION_NAME)
        .read_text(encoding="utf-8")
        .replace("@MONTH@", f"{_MONTHS[today.month - 1]} {today.year}")
        .replace("@DATE@", today.isoformat())
        .replace("@EVENT_DATE@", event.isoformat())
    )
    write_atomic(pictures[0], _logo())
    write_atomic(pictures[1], _picture())
    write_atomic(targets[0], (STARTER / CONFIG_NAME).read_bytes())
    write_atomic(targets[1], edition.encode("utf-8"))
    return [*targets, *pictures]


def _logo() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (400, 120), "#ffffff")
    draw = ImageDraw.Draw(picture)
    draw.ellipse((10, 10, 110, 110), fill="#1d4f91")
    draw.rectangle((130, 40, 390, 60), fill="#1d4f91")
    draw.rectangle((130, 75, 300, 90), fill="#7a9cc9")
    return _png(picture)


def _picture() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (1120, 560), "#9fd3f0")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 420, 1120, 560), fill="#2f6f9f")
    colours = ["#e4572e", "#f3a712", "#a8c686", "#669bbc", "#f0e6d2", "#c44569"]
    for index, colour in enumerate(colours * 2):
        left = 20 + index * 92
        draw.rectangle((left, 250, left + 84, 420), fill=colour)
        draw.polygon([(left, 250), (left + 42, 200), (left + 84, 250)], fill="#5b3a29")
    return _png(picture)


def _png(picture: object) -> bytes:
    import io

    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)  # type: ignore[attr-defined]  # a PIL image
    return buffer.getvalue()
