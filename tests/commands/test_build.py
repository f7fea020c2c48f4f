"""``build``: edition file in, the email files out; a failed build changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bulletin.checking import GMAIL_CLIP_BYTES
from bulletin.commands.build import build
from bulletin.errors import BulletinError, ContentError, LayoutError
from tests.conftest import EXAMPLES

FEBRUARY = "dscb-2019-02"
SLUG = "february-2019-newsletter"


@pytest.fixture
def february(tmp_path: Path) -> Path:
    """A copy of the February 2019 example (edition.md, edition.py, bulletin.toml)."""
    folder = tmp_path / "edition"
    shutil.copytree(EXAMPLES / FEBRUARY, folder, ignore=shutil.ignore_patterns("out"))
    return folder / "edition.md"


def snapshot(folder: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and modification time."""
    return {
        path.relative_to(folder): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_build_writes_every_file(february: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    built = build(february, out)

    names = {path.relative_to(out).as_posix() for path in built.files}
    pages = {f"{SLUG}.html", f"{SLUG}.txt", f"{SLUG}.web.html", f"{SLUG}.eml"}
    assert pages <= names
    assets = sorted(name for name in names if name.startswith("assets/"))
    assert len(assets) == len(built.rendered.assets) == 2
    assert [path.relative_to(out).as_posix() for path in built.files[:2]] == assets, (
        "images first"
    )
    assert {
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()
    } == names
    assert (out / f"{SLUG}.html").read_text(encoding="utf-8") == built.rendered.html
    assert (out / f"{SLUG}.txt").read_text(encoding="utf-8") == built.rendered.text
    web = (out / f"{SLUG}.web.html").read_text(encoding="utf-8")
    assert web == built.rendered.web_html
    assert (out / f"{SLUG}.eml").read_bytes().startswith(b"From: ")
    for asset in built.rendered.assets:
        assert (out / asset.path).read_bytes() == asset.data
    assert built.html_bytes == len(built.rendered.html.encode("utf-8"))
    assert built.warnings == ()


def test_build_writes_beside_the_edition_by_default(february: Path) -> None:
    built = build(february)

    assert (february.parent / "out" / f"{SLUG}.html").is_file()
    assert all(path.is_relative_to(february.parent / "out") for path in built.files)


def test_no_temporary_files_are_left(february: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    build(february, out)
    build(february, out)

    assert list(out.rglob(".*.tmp")) == []
    assert list(out.rglob(".*")) == []


@pytest.mark.parametrize(
    ("problem", "error"),
    [
        ("\n<b>Raw HTML</b>\n", ContentError),  # found when loading
        ("", LayoutError),  # found when rendering: layout: clasic
    ],
    ids=["load", "render"],
)
def test_a_failed_build_leaves_the_previous_files_as_they_were(
    february: Path, tmp_path: Path, problem: str, error: type[BulletinError]
) -> None:
    out = tmp_path / "out"
    build(february, out)
    before = snapshot(out)
    assert len(before) == 6

    text = february.read_text(encoding="utf-8")
    if problem:
        text += problem
    else:
        text = text.replace("\ntitle:", "\nlayout: clasic\ntitle:", 1)
    february.write_text(
        text.replace("Quarterly news", "Changed news"), encoding="utf-8"
    )

    with pytest.raises(error):
        build(february, out)

    assert snapshot(out) == before
    assert list(out.rglob(".*.tmp")) == []


def test_a_rebuild_after_a_change_replaces_the_files(
    february: Path, tmp_path: Path
) -> None:
    """The other side of the test above: the same steps without the error do write."""
    out = tmp_path / "out"
    build(february, out)
    text = february.read_text(encoding="utf-8")
    assert "Quarterly news" in text
    february.write_text(
        text.replace("Quarterly news", "Changed news"), encoding="utf-8"
    )

    build(february, out)

    assert "Changed news" in (out / f"{SLUG}.txt").read_text(encoding="utf-8")


def test_compact_layout_differs(february: Path, tmp_path: Path) -> None:
    classic = build(february, tmp_path / "classic")
    compact = build(february, tmp_path / "compact", layout="compact")

    assert compact.rendered.html != classic.rendered.html
    assert "Georgia" in compact.rendered.html
    assert "Georgia" not in classic.rendered.html
    assert (tmp_path / "compact" / f"{SLUG}.html").read_text(
        encoding="utf-8"
    ) == compact.rendered.html


def test_an_unknown_layout_names_the_available_ones(
    february: Path, tmp_path: Path
) -> None:
    with pytest.raises(LayoutError, match=r"clasic.*classic, compact"):
        build(february, tmp_path / "out", layout="clasic")

    assert not (tmp_path / "out").exists()


def test_a_clipped_email_is_built_all_the_same_with_the_finding(tmp_path: Path) -> None:
    paragraph = "The partnership met to discuss training places and safeguarding. " * 60
    edition = tmp_path / "edition.md"
    edition.write_text(
        "---\ntitle: Big news\ndate: 2025-01-15\n---\n# Training\n\n"
        + f"{paragraph}\n\n" * 40,
        encoding="utf-8",
    )

    built = build(edition, tmp_path / "out")

    assert built.html_bytes > GMAIL_CLIP_BYTES
    [finding] = built.findings
    assert finding.code == "clipped"
    assert finding.level == "error"  # for sending; build still writes the files
    assert f"the email is {built.html_bytes / 1024:.0f} KB" in finding.message
    assert "Gmail clips messages over 102 KB" in finding.message
    assert "digest: true" in finding.message
    assert built.warnings == ()
    assert (tmp_path / "out" / "big-news.html").is_file()


def test_python_and_markdown_editions_build_the_same(tmp_path: Path) -> None:
    for name in ("dscb-2019-02", "dscp-2025-01"):
        markdown = build(EXAMPLES / name / "edition.md", tmp_path / name / "md")
        python = build(EXAMPLES / name / "edition.py", tmp_path / name / "py")

        assert python.source.path.suffix == ".py"
        assert markdown.rendered.html == python.rendered.html
        assert markdown.rendered.text == python.rendered.text
        slug = markdown.rendered.slug
        assert (tmp_path / name / "md" / f"{slug}.html").read_bytes() == (
            tmp_path / name / "py" / f"{slug}.html"
        ).read_bytes()
        assert (tmp_path / name / "md" / f"{slug}.eml").read_bytes() == (
            tmp_path / name / "py" / f"{slug}.eml"
        ).read_bytes()
