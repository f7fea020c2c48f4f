"""``archive``: a folder of editions in, a static web archive out.

Built from copies of the three examples: every page and link resolves, the
feed is Atom with what Atom requires, nothing personal gets in, a re-build
writes only what changed, and bad editions are reported one line each while
the rest are archived.
"""

from __future__ import annotations

import csv
import itertools
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from typer.testing import CliRunner

from bulletin import Settings, render
from bulletin.cli import app
from bulletin.commands.archive import archive
from bulletin.errors import ContentError, ContentErrorGroup
from bulletin.loading.source import load
from bulletin.model.colours import contrast_ratio
from bulletin.rendering.archive import archive_colours
from bulletin.rendering.layouts import load_layout
from bulletin.rendering.pipeline import render_web
from tests.conftest import EXAMPLE_NAMES, EXAMPLES, Example

ATOM = "{http://www.w3.org/2005/Atom}"
SLUGS = {
    "dscp-2025-01": "dscp-newsletter-january-2025",
    "dscb-2019-02": "february-2019-newsletter",
    "escp-annual-report-2024-25": "escp-annual-report-2024-to-2025",
}
runner = CliRunner()


def copy_examples(folder: Path, names: tuple[str, ...] = EXAMPLE_NAMES) -> Path:
    """Copies of the examples, one folder each, as an editor keeps them."""
    for name in names:
        shutil.copytree(
            EXAMPLES / name, folder / name, ignore=shutil.ignore_patterns("out")
        )
    return folder


@pytest.fixture
def editions(tmp_path: Path) -> Path:
    return copy_examples(tmp_path / "editions")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and modification time."""
    return {
        path.relative_to(folder).as_posix(): (
            path.read_bytes(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def local_links(page: Path) -> list[str]:
    """Every href and src of ``page`` that is not an absolute address or a fragment."""
    text = page.read_text(encoding="utf-8")
    links = re.findall(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", text)
    return [
        link
        for link in links
        if link and not urlsplit(link).scheme and not link.startswith(("#", "//"))
    ]


def test_archive_of_the_examples(editions: Path, tmp_path: Path) -> None:
    out = tmp_path / "archive"

    archived = archive(editions, out)

    assert archived.problems == ()
    assert [entry.slug for entry in archived.entries] == [
        SLUGS["escp-annual-report-2024-25"],
        SLUGS["dscp-2025-01"],
        SLUGS["dscb-2019-02"],
    ], "newest first"
    names = {path.relative_to(out).as_posix() for path in archived.written}
    assert {"index.html", "feed.xml", *(f"{slug}.html" for slug in SLUGS.values())} <= (
        names
    )
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == (
        names
    )
    assert any(name.startswith("assets/") for name in names)


def test_every_link_resolves(editions: Path, tmp_path: Path) -> None:
    out = tmp_path / "archive"
    archive(editions, out)

    pages = sorted(out.glob("*.html"))
    assert len(pages) == 4
    for page in pages:
        links = local_links(page)
        assert links, page
        for link in links:
            target = (page.parent / unquote(urlsplit(link).path)).resolve()
            assert target.is_file(), f"{page.name}: {link}"
            assert target.is_relative_to(out.resolve()), f"{page.name}: {link}"
    index = (out / "index.html").read_text(encoding="utf-8")
    for slug in SLUGS.values():
        assert f'href="{slug}.html"' in index
    for slug in SLUGS.values():
        page = (out / f"{slug}.html").read_text(encoding="utf-8")
        assert 'href="index.html"' in page, "a way back to the index"


def test_index_is_grouped_by_year_with_headings_in_order(
    editions: Path, tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    archive(editions, out)
    index = (out / "index.html").read_text(encoding="utf-8")

    assert '<html lang="en-GB">' in index
    assert index.count("<main>") == 1
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", index)]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    years = re.findall(r'<h2 id="year-(\d{4})">', index)
    assert years == ["2025", "2019"]
    assert index.index("ESCP Annual Report") < index.index("DSCP Newsletter")
    assert "Revised MASA arrangements" in index, "the preheader"
    assert 'datetime="2025-01-15"' in index


def test_index_colours_are_readable(editions: Path) -> None:
    for name in EXAMPLE_NAMES:
        source = load(editions / name / "edition.md")
        colours = archive_colours(
            load_layout(source.layout, source.settings.layout_paths), source.settings
        )
        for text, ground in [
            ("text", "background"),
            ("heading", "background"),
            ("link", "background"),
            ("muted", "background"),
            ("band_text", "brand"),
            ("footer_text", "page"),
        ]:
            assert contrast_ratio(colours[text], colours[ground]) >= 4.5, (name, text)


def test_feed_is_atom_with_what_atom_requires(editions: Path, tmp_path: Path) -> None:
    out = tmp_path / "archive"
    archive(editions, out)

    feed = ET.parse(out / "feed.xml").getroot()

    assert feed.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{element}") or "").strip(), element
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    assert feed.findtext(f"{ATOM}updated", "").startswith("2025-09-30T")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    ids = set()
    for entry in entries:
        for element in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{element}") or "").strip(), element
        link = entry.find(f"{ATOM}link")
        assert link is not None
        assert (out / link.attrib["href"]).is_file(), "relative to the feed"
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", entry.findtext(f"{ATOM}id", ""))
        ids.add(entry.findtext(f"{ATOM}id"))
    assert len(ids) == 3
    assert entries[0].findtext(f"{ATOM}title") == "ESCP Annual Report 2024 to 2025"


def test_nothing_personal_reaches_the_archive(editions: Path, tmp_path: Path) -> None:
    out = tmp_path / "archive"
    # A title and preheader with fields: the archive shows the defaults.
    edition = editions / "dscb-2019-02" / "edition.md"
    text = edition.read_text(encoding="utf-8")
    edition.write_text(
        text.replace(
            "preheader: Key points",
            'preheader: "For {{ first_name | every reader }}: key points',
        ).replace("updated procedures.\n", 'updated procedures."\n', 1),
        encoding="utf-8",
    )
    archive(editions, out)

    with (EXAMPLES / "dscp-2025-01" / "recipients.csv").open(encoding="utf-8") as file:
        readers = list(csv.DictReader(file))
    assert readers
    personal = {
        value
        for reader in readers
        for value in reader.values()
        if value and len(value) > 3
    }
    for path in [*out.glob("*.html"), out / "feed.xml"]:
        content = path.read_text(encoding="utf-8")
        assert "{{" not in content, path.name
        assert "token=" not in content, path.name
        for value in personal:
            assert value not in content, (path.name, value)
    january = (out / f"{SLUGS['dscp-2025-01']}.html").read_text(encoding="utf-8")
    assert "Dear colleague" in january
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert "For every reader: key points" in feed


def test_the_archive_holds_whole_editions_not_digests(
    editions: Path, tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    archive(editions, out)

    page = (out / f"{SLUGS['escp-annual-report-2024-25']}.html").read_text(
        encoding="utf-8"
    )
    assert "Read more about" not in page


def test_a_rebuild_writes_nothing_when_nothing_changed(
    editions: Path, tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    archive(editions, out)
    before = snapshot(out)

    again = archive(editions, out)

    assert again.written == ()
    assert snapshot(out) == before


def test_a_rebuild_after_adding_an_edition_changes_only_what_it_must(
    tmp_path: Path,
) -> None:
    editions = copy_examples(tmp_path / "editions", EXAMPLE_NAMES[1:])
    out = tmp_path / "archive"
    archive(editions, out)
    before = snapshot(out)

    copy_examples(editions, EXAMPLE_NAMES[:1])
    archived = archive(editions, out)

    after = snapshot(out)
    changed = {name for name in after if after[name] != before.get(name)}
    new_page = f"{SLUGS['dscp-2025-01']}.html"
    assert {"index.html", "feed.xml", new_page} <= changed
    assert all(
        name in {"index.html", "feed.xml", new_page} or name.startswith("assets/")
        for name in changed
    ), changed
    assert all(name not in before for name in changed if name.startswith("assets/"))
    assert set(before) <= set(after)
    written = {path.relative_to(out).as_posix() for path in archived.written}
    assert written == changed


def test_archive_url_gives_the_feed_full_addresses(
    editions: Path, tmp_path: Path
) -> None:
    (editions / "bulletin.toml").write_text(
        'schema = 1\npublisher = "Example Partnership"\n'
        'archive_url = "https://www.example.org/newsletters/"\n',
        encoding="utf-8",
    )
    out = tmp_path / "archive"
    archive(editions, out)

    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}id") == "https://www.example.org/newsletters/"
    links = [link.attrib for link in feed.findall(f"{ATOM}link")]
    assert {"href": "https://www.example.org/newsletters/feed.xml", "rel": "self"} in (
        links
    )
    for entry in feed.findall(f"{ATOM}entry"):
        href = entry.find(f"{ATOM}link").attrib["href"]  # type: ignore[union-attr]
        assert href.startswith("https://www.example.org/newsletters/")
        assert href.endswith(".html")
        assert entry.findtext(f"{ATOM}id") == href
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Example Partnership" in index, "the folder's bulletin.toml"
    assert "https://www.example.org/newsletters" not in index, "links stay relative"


# Bad input -----------------------------------------------------------------------


def test_a_folder_without_editions_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    with pytest.raises(
        ContentError, match=r"holds no edition: looked for \*/edition.md"
    ):
        archive(tmp_path / "empty", tmp_path / "archive")

    result = runner.invoke(app, ["archive", str(tmp_path / "empty"), "-o", "x"])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "archive").exists()


def test_a_file_instead_of_a_folder_is_one_error(tmp_path: Path) -> None:
    file = tmp_path / "edition.md"
    file.write_text("---\ntitle: x\n---\n", encoding="utf-8")

    result = runner.invoke(app, ["archive", str(file), "-o", str(tmp_path / "a")])

    assert result.exit_code == 1
    assert "is not a folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_broken_edition_is_reported_and_the_rest_archived(
    editions: Path, tmp_path: Path
) -> None:
    broken = editions / "2025-02" / "edition.md"
    broken.parent.mkdir()
    broken.write_text(
        "---\ntitle: News - February 2025\ndate: 2025-02-30\n---\nHello.\n",
        encoding="utf-8",
    )
    out = tmp_path / "archive"

    result = runner.invoke(app, ["archive", str(editions), "-o", str(out)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    problems = [
        line for line in result.stderr.splitlines() if line.startswith(str(broken))
    ]
    assert len(problems) == 1, result.stderr
    assert re.match(rf"{re.escape(str(broken))}:3:\d+: ", problems[0]), problems
    assert "Archived 3 editions" in result.stdout
    assert "News - February 2025" not in (out / "index.html").read_text("utf-8")
    assert len(list(out.glob("*.html"))) == 4


def test_two_editions_with_one_title_keep_the_first(
    editions: Path, tmp_path: Path
) -> None:
    shutil.copytree(editions / "dscb-2019-02", editions / "zz-copy")

    archived = archive(editions, tmp_path / "archive")

    assert len(archived.entries) == 3
    assert len(archived.problems) == 1
    assert "zz-copy" in archived.problems[0]
    assert "february-2019-newsletter.html" in archived.problems[0]


def test_when_no_edition_can_be_archived_nothing_is_written(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / "editions" / name).mkdir(parents=True)
        (tmp_path / "editions" / name / "edition.md").write_text(
            "no front matter\n", encoding="utf-8"
        )

    with pytest.raises(ContentErrorGroup) as caught:
        archive(tmp_path / "editions", tmp_path / "archive")

    assert len(caught.value.exceptions) == 2
    assert not (tmp_path / "archive").exists()
    result = runner.invoke(
        app, ["archive", str(tmp_path / "editions"), "-o", str(tmp_path / "archive")]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(str(tmp_path / "editions" / "a" / "edition.md") + ":1")


def test_cli_says_what_it_wrote(editions: Path, tmp_path: Path) -> None:
    out = tmp_path / "archive"

    first = runner.invoke(app, ["archive", str(editions), "-o", str(out)])
    again = runner.invoke(app, ["archive", str(editions), "-o", str(out)])

    assert first.exit_code == 0, first.output
    assert "Archived 3 editions" in first.stdout
    assert again.exit_code == 0
    assert "0 files written" in again.stdout


@pytest.mark.parametrize(
    "chosen",
    [
        {"brand": "#ffeb3b"},
        {"background": "#111111", "page": "#000000"},
        {"brand": "#777777", "text": "#999999", "link": "#aaaaaa"},
    ],
)
def test_index_colours_stay_readable_whatever_is_chosen(chosen: dict[str, str]) -> None:
    colours = archive_colours(load_layout("classic"), Settings(colours=chosen))

    for text, ground in [
        ("text", "background"),
        ("heading", "background"),
        ("link", "background"),
        ("muted", "background"),
        ("band_text", "brand"),
        ("footer_text", "page"),
    ]:
        assert contrast_ratio(colours[text], colours[ground]) >= 4.5, (text, colours)


def test_render_web_is_the_web_copy_render_makes(
    examples: dict[str, Example],
) -> None:
    for example in examples.values():
        web_html, assets = render_web(
            example.edition, example.settings, base_dir=example.folder
        )
        whole = render(example.edition, example.settings, base_dir=example.folder)
        assert web_html == whole.web_html, example.name
        assert assets == whole.assets, example.name


def test_an_edition_whose_page_would_be_the_index_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "editions"
    for name, title in (("a", "Index"), ("b", "News - February 2025")):
        (folder / name).mkdir(parents=True)
        (folder / name / "edition.md").write_text(
            f"---\ntitle: {title}\ndate: 2025-02-0{1 if name == 'a' else 2}\n---\n\n"
            "# Section\n\nWords.\n",
            encoding="utf-8",
        )
    archived = archive(folder, tmp_path / "out")
    [problem] = archived.problems
    assert "its page would be index.html, the archive's own index" in problem
    assert [entry.title for entry in archived.entries] == ["News - February 2025"]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "News - February 2025" in index
