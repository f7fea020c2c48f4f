"""The journal and audiences: each reader's variant, a change to one variant, and
the counts by audience, on real SQLite files."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from bulletin.errors import JournalConflictError
from bulletin.mail.recipients import Recipient
from bulletin.sending.journal import (
    Fingerprint,
    Journal,
    State,
    Variant,
    list_digest,
)

ANN = Recipient("ann@example.org", {"audiences": "schools"}, row=2)
BOB = Recipient("bob@example.org", {"audiences": "health; police"}, row=3)
CAT = Recipient("cat@example.org", {"audiences": ""}, row=4)
DAN = Recipient("dan@example.org", {"audiences": "schools"}, row=5)
EVERYONE = (ANN, BOB, CAT, DAN)

FIRST = {"": "d-none", "schools": "d-schools", "health+police": "d-hp"}
"""The digest of each variant of the first version of the edition."""


def variants(digests: Mapping[str, str]) -> dict[str, Variant]:
    return {
        ANN.key: Variant("schools", digests["schools"], "schools"),
        BOB.key: Variant("health+police", digests["health+police"], "health; police"),
        CAT.key: Variant("", digests[""], ""),
        DAN.key: Variant("schools", digests["schools"], "schools"),
    }


def fingerprint(digests: Mapping[str, str]) -> Fingerprint:
    return Fingerprint(
        edition="edition.md",
        subject="News",
        edition_digest="+".join(sorted(digests.values())),
        list="readers.csv",
        list_digest=list_digest(EVERYONE),
    )


def send(journal: Journal, reader: Recipient) -> None:
    journal.sending(reader.key, f"<{reader.key}>", 1000.0)
    journal.sent(reader.key, "250 2.0.0 OK")


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    opened = Journal.open(tmp_path / "journal.sqlite3")
    opened.begin(fingerprint(FIRST), EVERYONE, variants=variants(FIRST))
    yield opened
    opened.close()


def test_each_reader_s_variant_and_audiences_are_on_the_disk(
    journal: Journal, tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "journal.sqlite3") as db:
        rows = {
            key: (variant, digest, audiences)
            for key, variant, digest, audiences in db.execute(
                "SELECT key, variant, variant_digest, audiences FROM recipients"
            )
        }
    db.close()
    assert rows[BOB.key] == ("health+police", "d-hp", "health; police")
    assert rows[CAT.key] == ("", "d-none", "")
    assert journal.variant_of(ANN.key) == "schools"
    assert journal.variant_of("nobody@example.org") is None


def test_a_changed_variant_is_refused_only_for_readers_who_have_it(
    journal: Journal,
) -> None:
    send(journal, ANN)
    changed = {**FIRST, "schools": "d-schools-2"}
    with pytest.raises(JournalConflictError) as refusal:
        journal.begin(fingerprint(changed), EVERYONE, variants=variants(changed))
    message = str(refusal.value)
    assert "changed for readers in schools (1 sent the earlier version)" in message
    assert "health" not in message


def test_a_change_to_a_variant_nobody_has_goes_to_its_readers(
    journal: Journal,
) -> None:
    send(journal, ANN)  # schools has it; health and police do not
    changed = {**FIRST, "health+police": "d-hp-2"}
    assert (
        journal.begin(fingerprint(changed), EVERYONE, variants=variants(changed)) == []
    )
    # Bob, still to send, now gets the new version; Ann keeps what she was sent.
    assert journal.variant_of(BOB.key) == "health+police"
    with sqlite3.connect(journal.path) as db:
        digests = dict(db.execute("SELECT key, variant_digest FROM recipients"))
    db.close()
    assert digests[BOB.key] == "d-hp-2"
    assert digests[ANN.key] == "d-schools"


def test_allowing_a_change_makes_it_the_version_readers_have(journal: Journal) -> None:
    send(journal, ANN)
    changed = {**FIRST, "schools": "d-schools-2"}
    changes = journal.begin(
        fingerprint(changed), EVERYONE, variants=variants(changed), allow_changed=True
    )
    assert len(changes) == 1
    # The next run, with the same edition, has nothing to say.
    assert (
        journal.begin(fingerprint(changed), EVERYONE, variants=variants(changed)) == []
    )


def test_counts_by_audience_count_a_reader_in_each_of_theirs(journal: Journal) -> None:
    send(journal, ANN)
    send(journal, BOB)
    counts = journal.audience_counts()
    assert set(counts) == {"", "health", "police", "schools"}
    assert counts["schools"][State.SENT] == 1
    assert counts["schools"][State.PENDING] == 1
    assert counts["health"][State.SENT] == counts["police"][State.SENT] == 1
    assert counts[""][State.PENDING] == 1


def test_a_journal_of_schema_2_gains_the_columns_and_keeps_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with Journal.open(path) as journal:
        journal.begin(fingerprint(FIRST), EVERYONE)
        send(journal, ANN)
    db = sqlite3.connect(path)
    db.executescript(
        "ALTER TABLE recipients DROP COLUMN variant; "
        "ALTER TABLE recipients DROP COLUMN variant_digest; "
        "ALTER TABLE recipients DROP COLUMN audiences; PRAGMA user_version = 2;"
    )
    db.close()
    with Journal.read(path) as journal:  # read as it is
        assert journal.audience_counts() == {}
        assert journal.variant_of(ANN.key) == ""
    with Journal.open(path) as journal:  # migrated: the same edition is no change
        assert journal.begin(fingerprint(FIRST), EVERYONE) == []
        assert journal.counts()[State.SENT] == 1
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3
