"""The storage interface, the same tests on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from bulletin.errors import ServiceError
from bulletin.service.storage import Store, open_store

T0 = dt.datetime(2025, 1, 20, 9, 0, tzinfo=dt.UTC)


def test_an_unsubscribe_is_recorded_once(store: Store) -> None:
    assert store.record("ann@example.org", "unsubscribed", T0)
    assert not store.record("ann@example.org", "unsubscribed", T0)
    assert not store.record("ANN@Example.org", "unsubscribed", T0)
    assert store.is_unsubscribed("Ann@example.org")
    [event] = store.events_since(0, 100)
    assert (event.kind, event.address, event.at) == (
        "unsubscribed",
        "ann@example.org",
        T0,
    )


def test_a_resubscribe_undoes_an_unsubscribe_and_both_are_kept(store: Store) -> None:
    assert not store.record("bob@example.org", "resubscribed", T0)  # never left
    assert store.record("bob@example.org", "unsubscribed", T0)
    later = T0 + dt.timedelta(minutes=3)
    assert store.record("bob@example.org", "resubscribed", later)
    assert not store.record("bob@example.org", "resubscribed", later)
    assert not store.is_unsubscribed("bob@example.org")
    events = store.events_since(0, 100)
    assert [(e.kind, e.at) for e in events] == [
        ("unsubscribed", T0),
        ("resubscribed", later),
    ]
    assert events[0].cursor < events[1].cursor
    assert store.events_since(events[0].cursor, 100) == events[1:]
    assert store.events_since(events[1].cursor, 100) == []


def test_events_come_in_pages_in_order(store: Store) -> None:
    for number in range(25):
        store.record(f"reader{number}@example.org", "unsubscribed", T0)
    first = store.events_since(0, 10)
    second = store.events_since(first[-1].cursor, 10)
    third = store.events_since(second[-1].cursor, 10)
    addresses = [e.address for e in first + second + third]
    assert addresses == [f"reader{number}@example.org" for number in range(25)]


def test_concurrent_unsubscribes_for_one_address_record_it_once(store: Store) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def unsubscribe() -> None:
        barrier.wait()
        results.append(store.record("cat@example.org", "unsubscribed", T0))

    threads = [threading.Thread(target=unsubscribe) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert len(store.events_since(0, 100)) == 1


def test_the_store_answers_the_health_check(store: Store) -> None:
    store.check()


def test_a_store_opened_again_keeps_what_was_recorded(database: str) -> None:
    first = open_store(database)
    first.record("dan@example.org", "unsubscribed", T0)
    first.close()
    second = open_store(database)
    try:
        assert second.is_unsubscribed("dan@example.org")
    finally:
        second.close()


def test_the_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "u.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_unknown_database_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="neither an SQLite file nor"):
        open_store("mysql://x@localhost/db")


def test_an_unreachable_postgresql_is_one_line_without_the_password() -> None:
    with pytest.raises(ServiceError, match="cannot use the PostgreSQL") as caught:
        open_store("postgresql://u:hunter2-secret@127.0.0.1:1/db")
    assert "hunter2" not in str(caught.value)
