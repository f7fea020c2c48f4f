"""Audiences end to end: one edition, eight readers, each sent their own variant.

Every test builds a small edition in ``tmp_path`` (bulletin.toml and images
copied from ``examples/dscp-2025-01``, with ``audiences`` declared) whose parts
each carry unique marker words, and a list of eight readers over three
audiences. It then runs the command line as an editor would (``send`` into an
outbox and through the real STARTTLS + AUTH test server of tests/smtpserver.py,
``status``, ``build``, ``check``) and checks, reader by reader, that each
message holds exactly the parts that reader sees: their words, picture
descriptions and embedded pictures, and nothing of anyone else's.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image as Pillow
from typer.testing import CliRunner, Result

from bulletin.cli import app
from bulletin.commands.smtpconfig import ENVIRONMENT
from bulletin.mail.unsubscribe import SECRET_ENV
from bulletin.sending.credentials import PASSWORD_ENV, TOKEN_ENV
from tests.conftest import EXAMPLES
from tests.smtpserver import SmtpServer

runner = CliRunner()

EXAMPLE = EXAMPLES / "dscp-2025-01"
SECRET = "a-long-random-test-secret-0123456789"
SLUG = "audience-test"
DECLARED = ("schools", "health", "police")
PICTURE_COLOUR = (200, 40, 40)
"""The orchard picture's one colour: how its MIME part is told from the logo's."""

EDITION = """\
---
title: Audience test
date: 2025-01-15
preheader: Something for everyone, and a little more for some.
---

Dear {{ first_name | colleague }},

Opening words alphaopen for all.

# Everyone bravohead

Everyone reads bravobody here.

::: button {for schools}
[Book kilobutton](https://example.org/book)
:::

::: contact Helpdesk limahead {for schools, health}
name: Lima limaname
phone: 03000 111222
:::

# Schools charliehead {for schools}

Schools read charliebody here.

![An orchard deltaalt in bloom|280](images/orchard.png)

# Mixed echohead

Shared echobody for everyone.

::: event Health fair {for health}
title: Fair julietevent
date: 2025-02-03
link: https://example.org/fair
:::

## Clinic foxtrothead {for health}

Health read foxtrotbody here.

## Custody golfhead {for police}

Police read golfbody here.

## Joint hotelhead {for health, police}

Both read hotelbody here.

::: callout Note indiahead {for police}
Police callout indiabody text.
:::
"""


@dataclass(frozen=True)
class Part:
    """One part of the edition: its marker words, its tags, and what holds it."""

    words: tuple[str, ...]
    tags: frozenset[str] = frozenset()
    within: str | None = None
    """The ``words[0]`` of the part holding this one (a box in an article)."""
    box: bool = False
    """A box (button, callout, event, contact): its label comes before its first
    word; a section's or article's comes after its heading, before its text."""

    @property
    def labelled(self) -> str:
        """The word its web-copy label comes right before."""
        return self.words[0] if self.box else self.words[1]


def _tags(*names: str) -> frozenset[str]:
    return frozenset(names)


PARTS = (
    Part(("alphaopen",)),
    Part(("bravohead", "bravobody")),
    Part(("kilobutton",), _tags("schools"), within="bravohead", box=True),
    Part(
        ("limahead", "limaname"),
        _tags("schools", "health"),
        within="bravohead",
        box=True,
    ),
    Part(("charliehead", "charliebody", "deltaalt"), _tags("schools")),
    Part(("echohead", "echobody")),
    Part(("julietevent",), _tags("health"), within="echohead", box=True),
    Part(("foxtrothead", "foxtrotbody"), _tags("health"), within="echohead"),
    Part(("golfhead", "golfbody"), _tags("police"), within="echohead"),
    Part(("hotelhead", "hotelbody"), _tags("health", "police"), within="echohead"),
    Part(("indiahead", "indiabody"), _tags("police"), within="hotelhead", box=True),
)
ALL_WORDS = frozenset(word for part in PARTS for word in part.words)
BY_FIRST_WORD = {part.words[0]: part for part in PARTS}

READERS_CSV = """\
email,first_name,audiences,team
ann@example.org,Ann,schools,A
bob@example.org,Bob,health; Police,B
cat@example.org,Cat,,A
dan@example.org,Dan, Schools ;HEALTH,B
eve@example.org,Eve,police,A
fay@example.org,Fay,health,B
gus@example.org,Gus,schools; police,B
hal@example.org,Hal,Health,A
"""
READERS: dict[str, frozenset[str]] = {
    "ann@example.org": _tags("schools"),
    "bob@example.org": _tags("health", "police"),
    "cat@example.org": _tags(),
    "dan@example.org": _tags("schools", "health"),
    "eve@example.org": _tags("police"),
    "fay@example.org": _tags("health"),
    "gus@example.org": _tags("schools", "police"),
    "hal@example.org": _tags("health"),
}
"""Each reader's audiences as the list means them (any case, spaces around)."""
TEAMS = {
    "ann@example.org": "A",
    "bob@example.org": "B",
    "cat@example.org": "A",
    "dan@example.org": "B",
    "eve@example.org": "A",
    "fay@example.org": "B",
    "gus@example.org": "B",
    "hal@example.org": "A",
}


def seen(part: Part, audiences: frozenset[str] | None) -> bool:
    """Whether a reader in ``audiences`` (None: every audience) sees ``part``."""
    if part.tags and audiences is not None and part.tags.isdisjoint(audiences):
        return False
    return part.within is None or seen(BY_FIRST_WORD[part.within], audiences)


def words_for(audiences: frozenset[str] | None) -> frozenset[str]:
    """The marker words a reader in ``audiences`` gets."""
    return frozenset(
        word for part in PARTS if seen(part, audiences) for word in part.words
    )


def label_of(part: Part) -> str:
    """The web copy's label of a tagged part: ``For health and police``."""
    names = sorted(part.tags)
    if len(names) == 1:
        return f"For {names[0]}"
    return f"For {', '.join(names[:-1])} and {names[-1]}"


def in_audience(audience: str) -> set[str]:
    return {address for address, tags in READERS.items() if audience in tags}


# Fixtures and helpers -------------------------------------------------------------


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The unsubscribe secret set, no SMTP settings from the machine, and a
    state folder (journals) for this test alone."""
    monkeypatch.setenv(SECRET_ENV, SECRET)
    for name in (*ENVIRONMENT.values(), PASSWORD_ENV, TOKEN_ENV):
        monkeypatch.delenv(name, raising=False)
    state = tmp_path / "state"
    monkeypatch.setenv("BULLETIN_STATE_DIR", str(state))
    return state


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """bulletin.toml (audiences declared), images, the edition and the list."""
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copytree(EXAMPLE / "images", folder / "images")
    Pillow.new("RGB", (600, 300), PICTURE_COLOUR).save(folder / "images/orchard.png")
    config = (EXAMPLE / "bulletin.toml").read_text(encoding="utf-8")
    config, replaced = re.subn(
        r"(?m)^schema = 1$",
        'schema = 1\naudiences = ["schools", "health", "police"]',
        config,
    )
    assert replaced == 1
    (folder / "bulletin.toml").write_text(config, encoding="utf-8")
    (folder / "edition.md").write_text(EDITION, encoding="utf-8")
    (folder / "readers.csv").write_text(READERS_CSV, encoding="utf-8")
    return folder


@pytest.fixture
def edition(project: Path) -> Path:
    return project / "edition.md"


@pytest.fixture
def readers(project: Path) -> Path:
    return project / "readers.csv"


@pytest.fixture
def server(smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """The STARTTLS + AUTH server, its password in the environment."""
    monkeypatch.setenv(PASSWORD_ENV, smtp_server.password)
    return smtp_server


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [*map(str, args)])


def to_outbox(edition: Path, readers: Path, outbox: Path, *args: str | Path) -> Result:
    """``bulletin send`` of ``edition`` to ``readers``, into the folder ``outbox``."""
    return invoke("send", edition, "--recipients", readers, "--outbox", outbox, *args)


def send_smtp(
    server: SmtpServer, edition: Path, readers: Path, *args: str | Path
) -> Result:
    return invoke(
        "send", edition, "--recipients", readers, *server.cli_options(), *args
    )


def counts(stdout: str) -> dict[str, int]:
    """The summary table: ``6  sent`` per line, as {"sent": 6}."""
    return {
        label: int(number.replace(",", ""))
        for number, label in re.findall(r"(?m)^\s*([\d,]+)  (\S.*?)\s*$", stdout)
    }


def parsed(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain text and the HTML of a message."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert isinstance(text, EmailMessage)
    assert isinstance(html, EmailMessage)
    return text.get_content(), html.get_content()


def markers_in(document: str) -> frozenset[str]:
    folded = document.casefold()
    return frozenset(word for word in ALL_WORDS if word in folded)


def pictures(message: EmailMessage) -> list[tuple[int, int, int]]:
    """The colour of the top-left pixel of each image/* part."""
    found = []
    for part in message.walk():
        if part.get_content_maintype() == "image":
            data = part.get_content()
            assert isinstance(data, bytes)
            with Pillow.open(BytesIO(data)) as picture:
                found.append(picture.convert("RGB").getpixel((0, 0)))
    return found


def has_orchard(message: EmailMessage) -> bool:
    near = [
        colour
        for colour in pictures(message)
        if all(abs(a - b) <= 8 for a, b in zip(colour, PICTURE_COLOUR, strict=True))
    ]
    assert len(near) <= 1, "the picture is embedded more than once"
    return bool(near)


def check_reader(message: EmailMessage, address: str) -> None:
    """The message is addressed to ``address`` and holds exactly their parts."""
    audiences = READERS[address]
    assert address in str(message["To"]).casefold()
    text, html = bodies(message)
    wanted = words_for(audiences)
    assert markers_in(text) == wanted, f"{address}: plain text"
    assert markers_in(html) == wanted, f"{address}: HTML"
    # The logo is embedded in every copy; the orchard only where its section is.
    assert pictures(message), f"{address}: no picture at all (not even the logo)"
    assert has_orchard(message) == ("schools" in audiences), address
    cids = re.findall(r'src="cid:([^"]+)"', html)
    embedded = {
        str(part["Content-ID"]).strip("<>")
        for part in message.walk()
        if part.get_content_maintype() == "image"
    }
    assert set(cids) == embedded, f"{address}: every picture shown is embedded"


def outbox_messages(outbox: Path) -> dict[str, EmailMessage]:
    """Each .eml of the outbox by the address its name ends in."""
    found = {}
    for path in sorted(outbox.glob("*.eml")):
        assert path.name.startswith(f"{SLUG}--"), path.name
        found[path.stem.split("--", 1)[1]] = parsed(path.read_bytes())
    return found


def received(server: SmtpServer) -> dict[str, list[EmailMessage]]:
    """Each message the server accepted, by its (one) envelope recipient."""
    found: dict[str, list[EmailMessage]] = {}
    for delivery in server.deliveries:
        assert len(delivery.rcpt_tos) == 1, delivery.rcpt_tos
        found.setdefault(delivery.rcpt_tos[0].casefold(), []).append(delivery.message)
    return found


def by_audience(stdout: str) -> dict[str, dict[str, int]]:
    """The ``By audience:`` lines of ``status``: audience -> {state: count}."""
    assert "By audience:\n" in stdout, stdout
    after = stdout.split("By audience:\n", 1)[1]
    found = {}
    for line in after.splitlines():
        match = re.fullmatch(r"  (\S[^:]*): (.+)", line)
        if match is None:
            break
        found[match.group(1)] = {
            state: int(number.replace(",", ""))
            for number, state in re.findall(r"(\d[\d,]*) ([^,]+)", match.group(2))
        }
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# The expectations themselves ------------------------------------------------------


def test_the_parts_model_gives_each_reader_a_different_mix() -> None:
    """A guard on the expectations: they must tell the readers apart."""
    mixes = {address: words_for(tags) for address, tags in READERS.items()}
    assert words_for(frozenset()) == {
        "alphaopen",
        "bravohead",
        "bravobody",
        "echohead",
        "echobody",
    }
    assert words_for(None) == ALL_WORDS
    # A health reader sees the joint article but not the police box inside it.
    assert "hotelbody" in mixes["fay@example.org"]
    assert "indiabody" not in mixes["fay@example.org"]
    assert len(set(mixes.values())) == 7  # fay and hal alike, everyone else apart


# Into an outbox ---------------------------------------------------------------------


def test_each_outbox_message_holds_exactly_its_readers_parts(
    edition: Path, readers: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"

    result = invoke("send", edition, "--recipients", readers, "--outbox", outbox)

    assert result.exit_code == 0, result.output
    assert counts(result.stdout)["written"] == len(READERS)
    messages = outbox_messages(outbox)
    assert set(messages) == set(READERS)
    for address, message in messages.items():
        check_reader(message, address)
    # Only the schools readers carry the picture, and they are three.
    assert sum(has_orchard(message) for message in messages.values()) == 3


def test_no_audience_everything_sends_a_reader_in_none_every_part(
    project: Path, edition: Path, readers: Path, tmp_path: Path
) -> None:
    edit(
        project / "bulletin.toml",
        'audiences = ["schools", "health", "police"]',
        'audiences = ["schools", "health", "police"]\nno_audience = "everything"',
    )
    outbox = tmp_path / "outbox"

    result = invoke("send", edition, "--recipients", readers, "--outbox", outbox)

    assert result.exit_code == 0, result.output
    messages = outbox_messages(outbox)
    text, html = bodies(messages["cat@example.org"])
    assert markers_in(text) == ALL_WORDS
    assert markers_in(html) == ALL_WORDS
    assert has_orchard(messages["cat@example.org"])
    # A reader with audiences still gets only theirs.
    check_reader(messages["eve@example.org"], "eve@example.org")


def test_where_sends_only_to_the_readers_whose_column_matches(
    edition: Path, readers: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"

    result = to_outbox(
        edition,
        readers,
        outbox,
        "--where",
        "team=a",
    )

    assert result.exit_code == 0, result.output
    team_a = {address for address, team in TEAMS.items() if team == "A"}
    messages = outbox_messages(outbox)
    assert set(messages) == team_a
    assert counts(result.stdout)["not in team = a"] == len(READERS) - len(team_a)
    for address, message in messages.items():
        check_reader(message, address)


def test_audience_into_an_outbox_writes_only_that_audience_then_the_rest(
    edition: Path, readers: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"

    first = to_outbox(
        edition,
        readers,
        outbox,
        "--audience",
        "Police",
    )

    assert first.exit_code == 0, first.output
    assert set(outbox_messages(outbox)) == in_audience("police")
    rest = invoke("send", edition, "--recipients", readers, "--outbox", outbox)
    assert rest.exit_code == 0, rest.output
    assert counts(rest.stdout)["written"] == len(READERS) - len(in_audience("police"))
    assert counts(rest.stdout)["already in the outbox"] == len(in_audience("police"))
    assert set(outbox_messages(outbox)) == set(READERS)


def test_an_edit_makes_stale_only_the_outbox_files_whose_variant_it_changes(
    edition: Path, readers: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    police = in_audience("police")
    first = to_outbox(
        edition,
        readers,
        outbox,
        "--audience",
        "police",
    )
    assert first.exit_code == 0, first.output
    before = {path.name: path.read_bytes() for path in outbox.glob("*.eml")}
    # Only Gus is in both police and schools.
    edit(edition, "Schools read charliebody here.", "Schools read charliebody now.")

    rest = invoke("send", edition, "--recipients", readers, "--outbox", outbox)

    assert rest.exit_code != 0
    assert "1 message in" in rest.stderr
    assert "came from an earlier version" in " ".join(rest.stderr.split())
    assert counts(rest.stdout)["written"] == len(READERS) - len(police)
    assert counts(rest.stdout)["already in the outbox"] == len(police)
    after = {path.name: path.read_bytes() for path in outbox.glob("*.eml")}
    assert {name: after[name] for name in before} == before, "rewritten"


def test_a_test_copy_to_a_listed_reader_is_their_variant(
    edition: Path, readers: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"

    result = to_outbox(
        edition,
        readers,
        outbox,
        "--test-to",
        "bob@example.org",
        "--test-to",
        "nobody@example.org",
    )

    assert result.exit_code == 0, result.output
    copies = outbox_messages(outbox / "test-copies")
    assert set(copies) == {"bob@example.org", "nobody@example.org"}
    check_reader(copies["bob@example.org"], "bob@example.org")
    text, html = bodies(copies["nobody@example.org"])
    assert markers_in(text) == words_for(frozenset())
    assert markers_in(html) == words_for(frozenset())
    assert not list(outbox.glob("*.eml")), "a real copy was written"


def test_a_dry_run_for_one_audience_says_whom_and_how_many(
    edition: Path, readers: Path
) -> None:
    result = invoke(
        "send", edition, "--recipients", readers, "--dry-run", "--audience", "health"
    )

    assert result.exit_code == 0, result.output
    assert re.search(r"(?m)^  Only +readers in audience health$", result.stdout)
    health = in_audience("health")
    assert counts(result.stdout)["would be sent"] == len(health)
    assert counts(result.stdout)["not in audience health"] == len(READERS) - len(health)
    # Bob, Dan, and Fay with Hal: three variants among four readers.
    [variants] = re.findall(r"(?m)^  Variants +(.+)$", result.stdout)
    assert re.fullmatch(
        r"health: 2 readers, \d+ KB; health and police: 1 reader, \d+ KB; "
        r"health and schools: 1 reader, \d+ KB",
        variants,
    ), variants


def test_audience_takes_one_name_only(edition: Path, readers: Path) -> None:
    result = invoke(
        "send",
        edition,
        "--recipients",
        readers,
        "--dry-run",
        "--audience",
        "schools, health",
    )

    assert result.exit_code != 0
    assert "--audience takes one audience" in " ".join(result.stderr.split())


# Through the real SMTP server -------------------------------------------------------


def test_the_smtp_server_receives_each_readers_own_variant(
    server: SmtpServer, edition: Path, readers: Path
) -> None:
    result = send_smtp(server, edition, readers)

    assert result.exit_code == 0, result.output
    assert counts(result.stdout)["sent"] == len(READERS)
    assert server.delivered_to() == Counter(dict.fromkeys(READERS, 1))
    got = received(server)
    for address in READERS:
        [message] = got[address]
        check_reader(message, address)
    # Fay and Hal get the same variant, yet each copy is their own.
    ids = {str(messages[0]["Message-ID"]) for messages in got.values()}
    assert len(ids) == len(READERS)


def test_an_audience_first_then_the_rest_sends_nobody_twice(
    server: SmtpServer, edition: Path, readers: Path
) -> None:
    schools = in_audience("schools")

    first = send_smtp(server, edition, readers, "--audience", "schools")

    assert first.exit_code == 0, first.output
    assert counts(first.stdout)["sent"] == len(schools)
    assert counts(first.stdout)["not in audience schools"] == len(READERS) - len(
        schools
    )
    assert server.delivered_to() == Counter(dict.fromkeys(schools, 1))
    for address, [message] in received(server).items():
        check_reader(message, address)

    halfway = invoke("status", edition)
    assert halfway.exit_code == 0, halfway.output
    assert by_audience(halfway.stdout) == {
        "(no audience)": {"not yet sent": 1},
        "health": {"sent": 1, "not yet sent": 3},
        "police": {"sent": 1, "not yet sent": 2},
        "schools": {"sent": 3},
    }

    rest = send_smtp(server, edition, readers)

    assert rest.exit_code == 0, rest.output
    assert counts(rest.stdout)["sent"] == len(READERS) - len(schools)
    assert counts(rest.stdout)["sent in earlier runs"] == len(schools)
    assert server.delivered_to() == Counter(dict.fromkeys(READERS, 1))
    for address, [message] in received(server).items():
        check_reader(message, address)

    again = send_smtp(server, edition, readers)
    assert counts(again.stdout)["sent"] == 0
    assert server.delivered_to() == Counter(dict.fromkeys(READERS, 1))

    done = invoke("status", edition)
    assert done.exit_code == 0, done.output
    assert by_audience(done.stdout) == {
        "(no audience)": {"sent": 1},
        "health": {"sent": 4},
        "police": {"sent": 3},
        "schools": {"sent": 3},
    }


def test_a_changed_part_is_refused_only_for_an_audience_that_has_it(
    server: SmtpServer, edition: Path, readers: Path
) -> None:
    # Ann alone: the one schools reader in team A.
    first = send_smtp(
        server, edition, readers, "--audience", "schools", "--where", "team=A"
    )
    assert first.exit_code == 0, first.output
    assert server.delivered_to() == Counter({"ann@example.org": 1})

    # The schools section changes after Ann has it: the next send is refused.
    edit(edition, "Schools read charliebody here.", "Schools read charliebody now.")
    refused = send_smtp(server, edition, readers)

    assert refused.exit_code != 0
    assert (
        "the edition's content changed for readers in schools "
        "(1 sent the earlier version)"
    ) in " ".join(refused.stderr.split())
    assert "Nothing was sent" in refused.stderr
    for other in ("health", "police"):
        assert f"readers in {other}" not in refused.stderr
    assert server.delivered_to() == Counter({"ann@example.org": 1})

    # Back as Ann has it; now the health article changes, and nobody in health
    # has the edition yet: not refused, and the health readers get the new words.
    edit(edition, "Schools read charliebody now.", "Schools read charliebody here.")
    edit(edition, "Health read foxtrotbody here.", "Health read foxtrotbody zuluedit.")
    rest = send_smtp(server, edition, readers)

    assert rest.exit_code == 0, rest.output
    assert "content changed" not in rest.stderr
    assert server.delivered_to() == Counter(dict.fromkeys(READERS, 1))
    for address, [message] in received(server).items():
        text, html = bodies(message)
        edited = "foxtrotbody" in words_for(READERS[address])
        assert ("zuluedit" in text) == edited, address
        assert ("zuluedit" in html) == edited, address
        check_reader(message, address)


def test_allow_changed_sends_the_rest_after_a_change(
    server: SmtpServer, edition: Path, readers: Path
) -> None:
    first = send_smtp(server, edition, readers, "--audience", "police")
    assert first.exit_code == 0, first.output
    edit(edition, "Police read golfbody here.", "Police read golfbody now.")

    refused = send_smtp(server, edition, readers)
    assert refused.exit_code != 0
    assert "readers in police (1 sent the earlier version)" in " ".join(
        refused.stderr.split()
    )

    allowed = send_smtp(server, edition, readers, "--allow-changed")

    assert allowed.exit_code == 0, allowed.output
    assert server.delivered_to() == Counter(dict.fromkeys(READERS, 1))
    # The change was accepted once: the next run is not refused for it again.
    later = send_smtp(server, edition, readers)
    assert later.exit_code == 0, later.output
    assert "content changed" not in later.stderr
    assert counts(later.stdout)["sent"] == 0
    assert server.delivered_to() == Counter(dict.fromkeys(READERS, 1))


# Wrong audiences and columns --------------------------------------------------------


@pytest.fixture
def misspelt(readers: Path) -> Path:
    """The list with a tenth row (the header is row 1) naming 'shcools'."""
    with readers.open("a", encoding="utf-8") as file:
        file.write("zed@example.org,Zed,shcools,A\n")
    return readers


def assert_names_the_row(result: Result) -> None:
    assert result.exit_code != 0
    message = " ".join(result.stderr.split())
    assert (
        "readers.csv: row 10: audience 'shcools' is not one of the declared audiences; did you mean "
        "'schools'?"
    ) in message, result.stderr


def test_an_undeclared_audience_fails_a_dry_run_naming_its_row(
    edition: Path, misspelt: Path
) -> None:
    result = invoke("send", edition, "--recipients", misspelt, "--dry-run")

    assert_names_the_row(result)


def test_an_undeclared_audience_stops_a_send_into_an_outbox(
    edition: Path, misspelt: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"

    result = invoke("send", edition, "--recipients", misspelt, "--outbox", outbox)

    assert_names_the_row(result)
    assert not outbox.exists() or not list(outbox.glob("*.eml"))


def test_an_undeclared_audience_stops_a_send_by_smtp(
    server: SmtpServer, edition: Path, misspelt: Path
) -> None:
    result = send_smtp(server, edition, misspelt)

    assert_names_the_row(result)
    assert server.deliveries == []


@pytest.mark.parametrize(
    ("audience", "says"),
    [
        ("nosuch", "audience 'nosuch' is not one of the declared audiences"),
        ("shcools", "did you mean 'schools'?"),
    ],
)
def test_an_unknown_audience_option_is_refused_with_the_declared_ones(
    edition: Path, readers: Path, tmp_path: Path, audience: str, says: str
) -> None:
    outbox = tmp_path / "outbox"

    result = to_outbox(
        edition,
        readers,
        outbox,
        "--audience",
        audience,
    )

    assert result.exit_code != 0
    message = " ".join(result.stderr.split())
    assert says in message
    assert "the audiences are health, police, schools" in message
    assert not outbox.exists() or not list(outbox.iterdir())


def test_where_a_column_not_on_the_list_is_refused_naming_the_columns(
    edition: Path, readers: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"

    result = to_outbox(
        edition,
        readers,
        outbox,
        "--where",
        "nosuch=x",
    )

    assert result.exit_code != 0
    message = " ".join(result.stderr.split())
    assert "readers.csv has no column 'nosuch'" in message
    for column in ("first_name", "audiences", "team"):
        assert column in message
    assert not outbox.exists() or not list(outbox.iterdir())


# check and build ----------------------------------------------------------------------


def test_check_prints_each_variants_size(edition: Path) -> None:
    result = invoke("check", edition)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("Email by audience (Gmail clips at 102 KB):")
    sizes = {}
    for line in lines[start + 1 :]:
        match = re.fullmatch(r"  (\S.*?)\s+(\d+) KB", line)
        if match is None:
            break
        sizes[match.group(1)] = int(match.group(2))
    assert set(sizes) == {
        "no audience",
        "health",
        "police",
        "schools",
        "health, police and schools",
    }
    assert all(0 < size < 102 for size in sizes.values()), sizes
    # Everything is at least as big as any one part of it.
    assert sizes["health, police and schools"] >= max(sizes.values())
    assert sizes["no audience"] <= min(sizes.values())


Builder = Callable[..., Path]


@pytest.fixture
def built(edition: Path, tmp_path: Path) -> Builder:
    """Run ``bulletin build`` into a folder of its own; return the folder."""

    def build(name: str, *args: str | Path) -> Path:
        out = tmp_path / "out" / name
        result = invoke("build", edition, "-o", out, *args)
        assert result.exit_code == 0, result.output
        return out

    return build


def test_build_for_health_writes_health_parts_while_the_web_copy_holds_all(
    built: Builder,
) -> None:
    out = built("health", "--audience", "health")
    wanted = words_for(_tags("health"))

    html = (out / f"{SLUG}.html").read_text(encoding="utf-8")
    text = (out / f"{SLUG}.txt").read_text(encoding="utf-8")
    assert markers_in(html) == wanted
    assert markers_in(text) == wanted
    assert 'class="audience"' not in html
    assert "For health" not in text
    eml = parsed((out / f"{SLUG}.eml").read_bytes())
    assert markers_in(bodies(eml)[0]) == wanted
    assert not has_orchard(eml)

    web = (out / f"{SLUG}.web.html").read_text(encoding="utf-8")
    assert markers_in(web) == ALL_WORDS
    labels = re.findall(r'<p class="audience">([^<]*)</p>', web)
    assert sorted(labels) == sorted(
        [
            "For schools",  # the button
            "For health and schools",  # the contact box
            "For schools",  # the schools section
            "For health",  # the event
            "For health",  # the clinic article
            "For police",  # the custody article
            "For health and police",  # the joint article
            "For police",  # the callout
        ]
    )
    # Each label sits right before its own part: after a section's or an
    # article's heading, before its text; before a box.
    for part in PARTS:
        if not part.tags:
            continue
        at = web.index(part.labelled)
        last = web.rindex('<p class="audience">', 0, at)
        assert web[last:].startswith(f'<p class="audience">{label_of(part)}</p>'), part
        if not part.box:
            assert web.index(part.words[0], web.index("</ul>")) < last, part


def test_build_without_an_audience_is_the_untagged_parts_and_says_so(
    edition: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = invoke("build", edition, "-o", out)

    assert result.exit_code == 0, result.output
    assert "build --audience NAME" in " ".join(result.stderr.split())
    html = (out / f"{SLUG}.html").read_text(encoding="utf-8")
    assert markers_in(html) == words_for(frozenset())


def test_build_as_a_reader_writes_their_own_variant(
    edition: Path, readers: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = invoke(
        "build", edition, "-o", out, "--recipients", readers, "--as", "BOB@example.org"
    )

    assert result.exit_code == 0, result.output
    html = (out / f"{SLUG}.html").read_text(encoding="utf-8")
    text = (out / f"{SLUG}.txt").read_text(encoding="utf-8")
    assert markers_in(html) == words_for(READERS["bob@example.org"])
    assert markers_in(text) == words_for(READERS["bob@example.org"])
    assert "Dear Bob," in text


def test_build_for_an_undeclared_audience_is_refused(
    edition: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = invoke("build", edition, "-o", out, "--audience", "polise")

    assert result.exit_code != 0
    assert "did you mean 'police'?" in " ".join(result.stderr.split())
    assert not out.exists() or not list(out.glob("*.html"))


def test_build_as_a_reader_with_an_undeclared_audience_is_refused(
    edition: Path, misspelt: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    result = invoke(
        "build", edition, "-o", out, "--recipients", misspelt, "--as", "zed@example.org"
    )

    assert result.exit_code != 0
    assert "'shcools'" in result.stderr


def test_a_list_without_an_audiences_column_stops_a_tagged_edition(
    edition: Path, tmp_path: Path
) -> None:
    listed = tmp_path / "groups.csv"
    listed.write_text(
        "email,first_name,audience\nann@example.org,Ann,schools\n", encoding="utf-8"
    )
    outbox = tmp_path / "outbox"

    result = to_outbox(edition, listed, outbox)

    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "groups.csv has no audiences column (is 'audience' meant to be it?)" in (
        message
    )
    assert not outbox.exists()


def test_a_test_copy_without_a_list_says_nothing_of_a_list(
    edition: Path, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    result = invoke(
        "send", edition, "--test-to", "me@example.org", "--audience", "police",
        "--outbox", outbox,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "(none)" not in result.output
    refused = invoke(
        "send", edition, "--test-to", "me@example.org", "--where", "team=A",
        "--outbox", outbox,
    )  # fmt: skip
    assert refused.exit_code != 0
    assert "--where chooses among the readers of a list" in refused.stderr
