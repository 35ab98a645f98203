"""Keyset paging gives exactly the pages OFFSET gives, also across writes."""

from pathlib import Path

import pytest

from scim_setup.emulator.store import SqlCondition, Store, StoredResource, UserRecord


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path)
    for n in range(25):
        add_user(store, n)
    return store


def add_user(store: Store, n: int) -> None:
    resource = StoredResource(f"id-{n:02}", {"userName": f"u{n}"}, "t", "t")
    store.insert_user(UserRecord(resource, f"u{n}", f"ext-{n % 2}", True), f"ba-{n}", 50)


def walk(store: Store, condition: SqlCondition, count: int) -> list[str]:
    ids: list[str] = []
    offset = 0
    while True:
        page = store.query_users(condition, offset, count)
        ids += [resource.id for resource in page.resources]
        offset += count
        if offset >= page.total:
            return ids


def offset_page(store: Store, offset: int, count: int) -> list[str]:
    rows = store._db.execute(
        "SELECT id FROM users ORDER BY rowid LIMIT ? OFFSET ?", (count, offset)
    ).fetchall()
    return [row[0] for row in rows]


def test_walking_the_pages_continues_after_the_last_rowid(store):
    ids = walk(store, SqlCondition(""), 10)

    assert ids == [f"id-{n:02}" for n in range(25)]
    assert len(store._page_ends) == 3


def test_filtered_walk_sees_only_matches_in_order(store):
    ids = walk(store, SqlCondition("external_id = ?", ("ext-1",)), 4)

    assert ids == [f"id-{n:02}" for n in range(1, 25, 2)]


def test_a_write_between_pages_falls_back_to_offset_and_gives_its_page(store):
    store.query_users(SqlCondition(""), 0, 10)
    store.delete_user("id-03")

    second = store.query_users(SqlCondition(""), 10, 10)

    assert [r.id for r in second.resources] == offset_page(store, 10, 10)
    assert second.resources[0].id == "id-11"


def test_a_page_out_of_order_is_served_by_offset(store):
    page = store.query_users(SqlCondition(""), 7, 5)

    assert [r.id for r in page.resources] == offset_page(store, 7, 5)


@pytest.mark.parametrize("offset", [0, 5, 24, 25, 30])
@pytest.mark.parametrize("limit", [0, 1, 10, 25, 100])
@pytest.mark.parametrize(
    ("condition", "matches"),
    [
        (SqlCondition(""), 25),
        (SqlCondition("external_id = ?", ("ext-1",)), 12),
        (SqlCondition("user_name_key = ?", ("u7",)), 1),
        (SqlCondition("user_name_key = ?", ("nobody",)), 0),
    ],
)
def test_every_page_reports_the_total_count_of_matches(store, offset, limit, condition, matches):
    page = store.query_users(condition, offset, limit)
    again = store.query_users(condition, offset, limit)

    assert page.total == again.total == matches
    assert len(page.resources) == max(0, min(limit, matches - offset))
