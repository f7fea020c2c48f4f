"""``bulletin.toml``: reading it into Settings, its errors, finding it, and overrides."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bulletin.errors import ContentError, ContentErrorGroup
from bulletin.loading.config import (
    CONFIG_NAME,
    SCHEMA_VERSION,
    Config,
    find_config,
    load_config,
)
from bulletin.loading.source import load, parse_markdown
from bulletin.model.blocks import Contact, Image
from bulletin.model.settings import Sender, Settings
from bulletin.model.text import Text

FULL = """\
# The Example Partnership's standing details.
schema = 1
publisher = "Example Partnership"
layout = "modern"
language = "cy"
layout_paths = ["my-layouts", "more/layouts"]
font_stack = "Arial, Helvetica, sans-serif"
footer = "You get this because you *asked* for it."
view_online_url = "https://example.org/news/{slug}.html"
unsubscribe_url = "https://example.org/unsubscribe"
subscribe_url = "https://example.org/subscribe"
image_base_url = "https://cdn.example.org/news/"
date_format = "{month} {year}"

[logo]
src = "images/logo.png"
alt = "Example Partnership logo"
width = 200
link = "https://example.org/"

[colours]
brand = "#1d4f91"
accent = "#ffcc00"

[contact]
heading = "Contact us"
name = "Example Partnership"
address = ["County Hall", "Durham", "DH1 5UL"]
phone = "03000 265770"
email = "news@example.org"
website = "www.example.org"

[sender]
name = "Example Partnership"
address = "news@example.org"

[strings]
in_this_edition = "Inside"

[utm]
source = "newsletter"
medium = "email"
campaign = "{slug}"
domains = ["example.org", "www.Partner.org"]
"""

EDITION = "---\ntitle: News - January 2025\ndate: 2025-01-15\n---\nHello.\n"


def write(folder: Path, text: str) -> Path:
    path = folder / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def config_problem(path: Path) -> ContentError:
    """The one problem reading ``path`` reports (a group fails the test)."""
    with pytest.raises(ContentError) as caught:
        load_config(path)
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working folder, so messages name ``bulletin.toml``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# A full file ----------------------------------------------------------------------


def test_a_full_file_loads_into_settings(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "logo.png").write_bytes(b"a picture")

    config = load_config(path)

    assert config.path == path
    assert config.folder == tmp_path
    assert config.layout == "modern"
    assert config.language == "cy"
    settings = config.settings
    assert settings.publisher == "Example Partnership"
    assert settings.logo == Image(
        str(tmp_path / "images" / "logo.png"),
        "Example Partnership logo",
        width=200,
        link="https://example.org/",
    )
    assert dict(settings.colours) == {"brand": "#1d4f91", "accent": "#ffcc00"}
    assert settings.font_stack == "Arial, Helvetica, sans-serif"
    assert settings.contact == Contact(
        heading="Contact us",
        name="Example Partnership",
        address=("County Hall", "Durham", "DH1 5UL"),
        phone="03000 265770",
        email="news@example.org",
        website="www.example.org",
    )
    assert settings.footer == Text.markdown("You get this because you *asked* for it.")
    assert settings.sender == Sender("Example Partnership", "news@example.org")
    assert settings.view_online_url == "https://example.org/news/{slug}.html"
    assert settings.unsubscribe_url == "https://example.org/unsubscribe"
    assert settings.subscribe_url == "https://example.org/subscribe"
    assert settings.image_base_url == "https://cdn.example.org/news"
    assert settings.date_format == "{month} {year}"
    assert dict(settings.strings) == {"in_this_edition": "Inside"}
    assert dict(settings.utm) == {
        "source": "newsletter",
        "medium": "email",
        "campaign": "{slug}",
    }
    assert settings.utm_domains == ("example.org", "partner.org")
    assert settings.layout_paths == (
        tmp_path / "my-layouts",
        tmp_path / "more" / "layouts",
    )


def test_layout_paths_are_relative_to_the_file_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "org"
    folder.mkdir()
    path = write(folder, 'schema = 1\nlayout_paths = ["layouts"]\n')
    monkeypatch.chdir(tmp_path)

    config = load_config(path)

    assert config.settings.layout_paths == (folder / "layouts",)


def test_absolute_and_remote_logos_are_kept_as_written(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"a picture")
    path = write(tmp_path, f'schema = 1\n[logo]\nsrc = "{logo}"\nalt = "Logo"\n')

    assert load_config(path).settings.logo == Image(str(logo), "Logo")

    write(
        tmp_path, 'schema = 1\n[logo]\nsrc = "https://example.org/l.png"\nalt = "L"\n'
    )

    assert load_config(path).settings.logo == Image("https://example.org/l.png", "L")


def test_a_minimal_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "schema = 1\n"))

    assert config.settings == Settings()
    assert config.layout == Config().layout
    assert config.language is None


def test_a_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_bytes('schema = 1\r\npublisher = "Us"\r\n'.encode("utf-8-sig"))

    assert load_config(path).settings.publisher == "Us"


# Errors ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("here")
def test_missing_schema(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, 'publisher = "Us"\n'))

    assert (
        str(error) == "bulletin.toml:1:1: no schema version; add schema = 1 at the top"
    )


@pytest.mark.usefixtures("here")
def test_newer_schema_says_to_upgrade(tmp_path: Path) -> None:
    path = write(tmp_path, '# Settings\n\nschema = 2\npublisher = "Us"\n')

    error = config_problem(path)

    assert str(error) == (
        "bulletin.toml:3:1: schema 2 is from a newer bulletin; upgrade bulletin to "
        "read it"
    )
    assert SCHEMA_VERSION == 1


@pytest.mark.usefixtures("here")
def test_unknown_schema(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, "schema = 0\n"))

    assert (
        str(error)
        == "bulletin.toml:1:1: schema 0 is unknown; this bulletin reads schema = 1"
    )


@pytest.mark.usefixtures("here")
def test_schema_as_text(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, 'schema = "1"\n'))

    assert str(error) == "bulletin.toml:1:1: schema must be a whole number, not '1'"


@pytest.mark.usefixtures("here")
def test_unknown_key_suggests_the_nearest_at_its_line(tmp_path: Path) -> None:
    error = config_problem(
        write(tmp_path, 'schema = 1\npublisher = "Us"\npublsher = "Us"\n')
    )

    assert (
        str(error)
        == "bulletin.toml:3:1: unknown key 'publsher'; did you mean 'publisher'?"
    )


@pytest.mark.usefixtures("here")
def test_unknown_table_suggests_the_nearest(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, 'schema = 1\n\n[contakt]\nname = "Us"\n'))

    assert (
        str(error)
        == "bulletin.toml:3:1: unknown key 'contakt'; did you mean 'contact'?"
    )


@pytest.mark.usefixtures("here")
def test_unknown_key_in_a_table(tmp_path: Path) -> None:
    text = 'schema = 1\n[logo]\nsrc = "l.png"\nalt = "L"\n  widht = 200\n'

    error = config_problem(write(tmp_path, text))

    assert (
        str(error)
        == "bulletin.toml:5:3: unknown key 'widht' in logo; did you mean 'width'?"
    )


@pytest.mark.usefixtures("here")
def test_wrong_type_at_its_line(tmp_path: Path) -> None:
    text = 'schema = 1\n\n[logo]\nsrc = "l.png"\nalt = "L"\nwidth = "200"\n'

    error = config_problem(write(tmp_path, text))

    assert (
        str(error) == "bulletin.toml:6:1: logo.width must be a whole number, not '200'"
    )


@pytest.mark.usefixtures("here")
def test_text_given_a_number_says_to_quote_it(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, "schema = 1\npublisher = 2025\n"))

    assert str(error) == (
        "bulletin.toml:2:1: publisher must be text, not a number (2025); put it in "
        'quotes: "2025"'
    )


@pytest.mark.usefixtures("here")
def test_a_table_given_text(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, 'schema = 1\nlogo = "images/logo.png"\n'))

    assert str(error) == (
        "bulletin.toml:2:1: logo must be a table of keys (src, alt, width, link), "
        "not 'images/logo.png'"
    )


@pytest.mark.usefixtures("here")
def test_logo_without_alt_is_placed_at_its_table(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, 'schema = 1\n\n[logo]\nsrc = "l.png"\n'))

    assert str(error) == (
        'bulletin.toml:3:1: [logo] needs src and alt, e.g. src = "images/logo.png" '
        'and alt = "Example Partnership logo"'
    )


@pytest.mark.usefixtures("here")
def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, "schema = 1\npublisher = Us\n"))

    assert str(error) == (
        'bulletin.toml:2:13: not valid TOML: Invalid value; write one key = "value" '
        "per line, with text in double quotes (in single quotes an apostrophe ends "
        "the text)"
    )


@pytest.mark.usefixtures("here")
def test_toml_unclosed_string(tmp_path: Path) -> None:
    error = config_problem(write(tmp_path, 'schema = 1\npublisher = "Us\n'))

    assert (error.location.line, error.location.column) == (2, 16)
    assert error.message.startswith("not valid TOML: ")


@pytest.mark.usefixtures("here")
def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    text = 'publsher = "Us"\n[logo]\nsrc = "l.png"\nalt = "L"\nwidth = "200"\n'

    with pytest.raises(ContentErrorGroup) as caught:
        load_config(write(tmp_path, text))

    assert [str(error) for error in caught.value.exceptions] == [
        "bulletin.toml:1:1: no schema version; add schema = 1 at the top",
        "bulletin.toml:1:1: unknown key 'publsher'; did you mean 'publisher'?",
        "bulletin.toml:5:1: logo.width must be a whole number, not '200'",
    ]
    assert str(caught.value).splitlines()[0] == (
        "bulletin.toml has problems (3 problems)"
    )


@pytest.mark.usefixtures("here")
def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_bytes(b'schema = 1\npublisher = "Caf\xe9"\n')

    error = config_problem(path)

    assert str(error) == (
        "bulletin.toml:2:17: the file is not UTF-8 text; save it as UTF-8 "
        "(in Word or Notepad: Save As, Encoding: UTF-8)"
    )


def test_path_outside_the_working_folder_is_shown_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "schema = 3\n")

    error = config_problem(path)

    assert str(error).startswith(f"{path}:1:1: schema 3 is from a newer bulletin")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'view_online_url = "javascript:alert(1)"',
            "view_online_url URL 'javascript:alert(1)' is not allowed: use https://, "
            "http://, mailto: or tel:",
        ),
        (
            'image_base_url = "http://cdn.example.org/"',
            "image_base_url 'http://cdn.example.org/' must be an https:// address",
        ),
        (
            '[colours]\nbrand = "blue"',
            "colour brand = 'blue' is not a colour; write six hex digits like '#1d4f91'",
        ),
    ],
    ids=["url", "image-base-url", "colour"],
)
def test_a_value_settings_refuse_is_reported_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, f'schema = 1\npublisher = "Us"\n\n{line}\n')

    error = config_problem(path)

    assert error.location.file == Path(CONFIG_NAME)
    assert error.location.line in (4, 5)  # the key, or its [table]
    assert error.message == message


def test_a_bad_url_in_bulletin_toml_is_still_refused(tmp_path: Path) -> None:
    path = write(tmp_path, 'schema = 1\nview_online_url = "javascript:alert(1)"\n')

    error = config_problem(path)

    assert "view_online_url URL 'javascript:alert(1)' is not allowed" in error.message


# Finding the file -------------------------------------------------------------------------


def test_find_config_in_a_parent_folder(tmp_path: Path) -> None:
    path = write(tmp_path, "schema = 1\n")
    deep = tmp_path / "2025" / "01"
    deep.mkdir(parents=True)

    assert find_config(deep / "edition.md") == path.resolve()
    assert find_config(deep) == path.resolve()


def test_find_config_prefers_the_nearest(tmp_path: Path) -> None:
    write(tmp_path, "schema = 1\n")
    inner = tmp_path / "team"
    inner.mkdir()
    nearest = write(inner, "schema = 1\n")

    assert find_config(inner / "edition.md") == nearest.resolve()


def test_find_config_ignores_a_folder_named_bulletin_toml(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).mkdir()

    found = find_config(tmp_path / "edition.md")

    assert found != (tmp_path / CONFIG_NAME).resolve()


def test_find_config_returns_none_when_there_is_none(tmp_path: Path) -> None:
    if any((folder / CONFIG_NAME).is_file() for folder in tmp_path.resolve().parents):
        pytest.skip("a bulletin.toml sits above the temporary folder")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)

    assert find_config(deep / "edition.md") is None
    assert find_config(tmp_path) is None


def test_load_uses_the_nearest_config(tmp_path: Path) -> None:
    path = write(tmp_path, 'schema = 1\npublisher = "Us"\nlanguage = "cy"\n')
    folder = tmp_path / "2025-01"
    folder.mkdir()
    edition = folder / "edition.md"
    edition.write_text(EDITION, encoding="utf-8")

    source = load(edition)

    assert source.config.path == path.resolve()
    assert source.settings.publisher == "Us"
    assert source.edition.language == "cy"
    assert source.edition.date == dt.date(2025, 1, 15)


def test_load_without_config_uses_the_defaults(tmp_path: Path) -> None:
    if any((folder / CONFIG_NAME).is_file() for folder in tmp_path.resolve().parents):
        pytest.skip("a bulletin.toml sits above the temporary folder")
    edition = tmp_path / "edition.md"
    edition.write_text(EDITION, encoding="utf-8")

    source = load(edition)

    assert source.config.path is None
    assert source.settings == Settings()
    assert source.layout == Config().layout


def test_load_reports_a_bad_config(tmp_path: Path) -> None:
    write(tmp_path, 'publisher = "Us"\n')
    edition = tmp_path / "edition.md"
    edition.write_text(EDITION, encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        load(edition)

    assert caught.value.message == "no schema version; add schema = 1 at the top"
    assert caught.value.location.file is not None
    assert caught.value.location.file.name == CONFIG_NAME


def test_load_with_a_given_config_does_not_look_for_one(tmp_path: Path) -> None:
    write(tmp_path, "this is not TOML")
    edition = tmp_path / "edition.md"
    edition.write_text(EDITION, encoding="utf-8")

    source = load(edition, config=Config(Settings(publisher="Given")))

    assert source.settings.publisher == "Given"
    assert source.config.path is None


# Front matter overrides ---------------------------------------------------------------------

BASE = """\
schema = 1
publisher = "Us"
layout = "classic"
language = "en-GB"
view_online_url = "https://example.org/news/{slug}.html"

[colours]
brand = "#111111"
accent = "#222222"

[strings]
in_this_edition = "Inside"
contents = "Contents"

[utm]
source = "newsletter"
medium = "email"
domains = ["example.org"]
"""


@pytest.fixture
def base(tmp_path: Path) -> Config:
    return load_config(write(tmp_path, BASE))


def front(*lines: str) -> str:
    return (
        "---\ntitle: News\ndate: 2025-01-15\n"
        + "".join(f"{line}\n" for line in lines)
        + "---\nHello.\n"
    )


def test_no_front_matter_overrides_keep_the_config(
    tmp_path: Path, base: Config
) -> None:
    source = parse_markdown(front(), tmp_path / "edition.md", base)

    assert source.settings == base.settings
    assert source.layout == "classic"
    assert source.edition.language == "en-GB"
    assert source.config.path == tmp_path / CONFIG_NAME


def test_colours_are_merged_key_by_key(tmp_path: Path, base: Config) -> None:
    text = front("colours:", "  accent: '#333333'", "  text: '#444444'")

    source = parse_markdown(text, tmp_path / "edition.md", base)

    assert dict(source.settings.colours) == {
        "brand": "#111111",
        "accent": "#333333",
        "text": "#444444",
    }


def test_strings_and_utm_are_merged_key_by_key(tmp_path: Path, base: Config) -> None:
    text = front("strings:", "  contents: In brief", "utm:", "  medium: web")

    source = parse_markdown(text, tmp_path / "edition.md", base)

    assert dict(source.settings.strings) == {
        "in_this_edition": "Inside",
        "contents": "In brief",
    }
    assert dict(source.settings.utm) == {"source": "newsletter", "medium": "web"}


def test_utm_override_keeps_the_configs_domains(tmp_path: Path, base: Config) -> None:
    source = parse_markdown(
        front("utm:", "  medium: web"), tmp_path / "edition.md", base
    )

    assert source.settings.utm_domains == ("example.org",)


def test_utm_domains_can_be_overridden(tmp_path: Path, base: Config) -> None:
    text = front("utm:", "  domains: [partner.org]")

    source = parse_markdown(text, tmp_path / "edition.md", base)

    assert source.settings.utm_domains == ("partner.org",)


def test_view_online_url_is_replaced(tmp_path: Path, base: Config) -> None:
    text = front("view_online_url: https://news.example.org/{date}/")

    source = parse_markdown(text, tmp_path / "edition.md", base)

    assert source.settings.view_online_url == "https://news.example.org/{date}/"
    assert source.settings.publisher == "Us"
    assert dict(source.settings.colours) == {"brand": "#111111", "accent": "#222222"}


def test_layout_and_language_are_replaced(tmp_path: Path, base: Config) -> None:
    source = parse_markdown(
        front("layout: modern", "language: cy"), tmp_path / "edition.md", base
    )

    assert source.layout == "modern"
    assert source.edition.language == "cy"


def test_tables_in_front_matter_replace_the_configs(
    tmp_path: Path, base: Config
) -> None:
    text = front("sender:", "  name: Team", "  address: team@example.org")

    source = parse_markdown(text, tmp_path / "edition.md", base)

    assert source.settings.sender == Sender("Team", "team@example.org")


def test_front_matter_logo_is_relative_to_the_edition(
    tmp_path: Path, base: Config
) -> None:
    folder = tmp_path / "2025-01"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "special.png").write_bytes(b"a picture")
    text = front("logo:", "  src: images/special.png", "  alt: Special logo")

    source = parse_markdown(text, folder / "edition.md", base)

    assert source.settings.logo == Image(
        str(folder / "images" / "special.png"), "Special logo"
    )


def test_front_matter_override_with_a_wrong_type(tmp_path: Path, base: Config) -> None:
    path = tmp_path / "edition.md"

    with pytest.raises(ContentError) as caught:
        parse_markdown(front("colours: blue"), path, base)

    assert str(caught.value) == (
        f'{path}:4:1: colours must be a table of texts, e.g. brand = "#1d4f91", '
        "not 'blue'"
    )


def test_front_matter_table_missing_a_key(tmp_path: Path, base: Config) -> None:
    path = tmp_path / "edition.md"

    with pytest.raises(ContentError) as caught:
        parse_markdown(front("sender:", "  name: Team"), path, base)

    assert str(caught.value) == (
        f'{path}:4:1: [sender] needs name and address, e.g. name = "Example '
        'Partnership" and address = "news@example.org"'
    )


@pytest.mark.parametrize(
    "lines",
    [("view_online_url: javascript:alert(1)",), ("colours:", "  brand: blue")],
    ids=["url", "colour"],
)
def test_a_value_settings_refuse_in_front_matter_is_placed_at_its_key(
    tmp_path: Path, base: Config, lines: tuple[str, ...]
) -> None:
    path = tmp_path / "edition.md"

    with pytest.raises(ContentError) as caught:
        parse_markdown(front(*lines), path, base)

    assert caught.value.location.line in (4, 5)


def test_a_missing_logo_file_is_reported_at_its_table(tmp_path: Path) -> None:
    path = write(tmp_path, 'schema = 1\n\n[logo]\nsrc = "images/logo.png"\nalt = "L"\n')

    with pytest.raises(ContentError) as caught:
        load_config(path)

    assert caught.value.location.line == 3
    assert caught.value.message == (
        f"logo file images/logo.png not found (looked in {tmp_path}); the path is "
        "relative to bulletin.toml's folder"
    )


# Sending settings -------------------------------------------------------------------


def test_sending_settings_load_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "schema = 1\n"
        'unsubscribe_url = "https://example.org/u?t={token}&e={address}"\n'
        'unsubscribe_mailto = "mailto:leave@example.org"\n'
        'list_id = "news.example.org"\n'
        'suppressions = "lists/suppressed.csv"\n',
    )

    config = load_config(path)

    assert config.settings.unsubscribe_mailto == "leave@example.org"
    assert config.settings.list_id == "news.example.org"
    assert config.suppressions == tmp_path / "lists" / "suppressed.csv"
    assert config.settings.one_click_unsubscribe


def test_the_suppression_list_is_beside_the_file_by_default(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "schema = 1\n")).suppressions == (
        tmp_path / "suppressed.csv"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'list_id = "news"',
            "list_id 'news' is not a list id; write a name and a domain you own "
            "joined by a dot, e.g. news.example.org",
        ),
        (
            'unsubscribe_url = "tel:+441234"',
            "unsubscribe_url 'tel:+441234' must be an https:// address (with {token}) "
            "or a mailto: address",
        ),
        (
            'unsubscribe_url = "https://example.org/u?t={tokn}"',
            "unsubscribe_url 'https://example.org/u?t={tokn}' may only hold {token} "
            "and {address}, not {tokn}",
        ),
        (
            'unsubscribe_mailto = "leave at example.org"',
            "unsubscribe_mailto 'leave at example.org' is not an email address; write "
            "e.g. unsubscribe@example.org",
        ),
    ],
)
def test_a_bad_sending_setting_is_an_error_at_its_line(
    tmp_path: Path, line: str, message: str
) -> None:
    path = write(tmp_path, f"schema = 1\n{line}\n")

    with pytest.raises(ContentError) as caught:
        load_config(path)

    assert str(caught.value) == f"{path}:2:1: {message}"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "sender name is empty"),
        ("=?utf-8?q?Prizes?=", "holds '=?', which mail programs read as encoded"),
    ],
)
def test_a_sender_name_that_cannot_be_shown_is_refused(name: str, message: str) -> None:
    with pytest.raises(ContentError, match=re.escape(message)):
        Sender(name, "news@example.org")


def test_a_sender_name_has_its_spaces_tidied() -> None:
    assert Sender("  Example\u00a0 Partnership ", "news@example.org").name == (
        "Example Partnership"
    )
