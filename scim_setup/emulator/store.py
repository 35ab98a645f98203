"""Everything the emulated Dashboard remembers, in one SQLite file.

The store is the single writer of `emulator.sqlite3` in the data directory, so
a restart loses nothing: settings, token hashes, SCIM users and groups, group
memberships and backup accounts. SCIM resources are kept as their JSON
documents; the columns beside them exist for lookups and uniqueness.

One connection guarded by a lock is enough: the server runs one event loop
and every statement is short. Settings and the SCIM token are cached in memory
because every SCIM request reads them.
"""

import json
import sqlite3
import threading
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DATABASE_FILE = "emulator.sqlite3"
DEFAULT_ACCOUNT_SIZE_GB = 50
MAX_REMEMBERED_PAGES = 4096
"""How many page ends keyset paging keeps between writes (see `Store._query`)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS admin_tokens (role TEXT PRIMARY KEY, token_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scim_token (
    slot INTEGER PRIMARY KEY CHECK (slot = 1),
    id TEXT NOT NULL, token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL, last_used_at TEXT, label TEXT
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, user_name_key TEXT NOT NULL UNIQUE, external_id TEXT,
    active INTEGER NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS users_external_id ON users (external_id);
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY, display_name_key TEXT NOT NULL UNIQUE, external_id TEXT,
    created_at TEXT NOT NULL, modified_at TEXT NOT NULL, document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS groups_external_id ON groups (external_id);
CREATE TABLE IF NOT EXISTS memberships (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    display TEXT,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX IF NOT EXISTS memberships_member ON memberships (member_id);
CREATE TABLE IF NOT EXISTS backup_accounts (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    user_name TEXT NOT NULL, external_id TEXT, quota_gb INTEGER NOT NULL,
    active INTEGER NOT NULL, created_at TEXT NOT NULL
);
"""

_KEPT_ON_RESET = frozenset({"admin_tokens"})
"""Tables `Store.reset` leaves alone: who may call the admin API is the process's, not data."""


class _Keep:
    """The type of `KEEP`: leave a stored value as it is."""


KEEP = _Keep()


class UniquenessConflict(Exception):
    """A write would give two resources the same userName or displayName."""


def fold_case(value: str) -> str:
    """Return the key under which case-insensitive SCIM strings are compared.

    NFC then lowercase, the same as scim2-models' default comparison key, so
    a filter and a uniqueness check agree on which names are equal.
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", value).lower())


@dataclass(frozen=True)
class ScimSettings:
    """The account's SCIM settings; `tenant_id` is fixed for the data directory's life."""

    enabled: bool
    account_size_gb: int
    tenant_id: str
    owner: str | None = None


@dataclass(frozen=True)
class ScimTokenRecord:
    """The one active SCIM token, as stored: its hash, never the secret."""

    id: str
    token_hash: str
    created_at: str
    last_used_at: str | None
    label: str | None = None


@dataclass(frozen=True)
class StoredResource:
    """A SCIM user or group: its attributes document and its timestamps."""

    id: str
    document: dict[str, Any]
    created_at: str
    modified_at: str


@dataclass(frozen=True)
class UserRecord:
    """What a user write stores: the document and the columns derived from it."""

    resource: StoredResource
    user_name: str
    external_id: str | None
    active: bool


@dataclass(frozen=True)
class Member:
    """A group member: the id of a user or group, and the `display` the client gave it."""

    id: str
    display: str | None = None
    kind: str = "User"


@dataclass(frozen=True)
class GroupRecord:
    """What a group write stores; members are users or groups of the tenant."""

    resource: StoredResource
    display_name: str
    external_id: str | None
    members: tuple[Member, ...]


@dataclass(frozen=True)
class BackupAccount:
    """A backup account that provisioning created for one SCIM user."""

    id: str
    user_name: str
    external_id: str | None
    quota_gb: int
    active: bool
    created_at: str


@dataclass(frozen=True)
class SqlCondition:
    """A WHERE clause over the columns of `users` or `groups`, with its parameters."""

    sql: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Page:
    """One page of a query: the total number of matches and the resources on the page."""

    total: int
    resources: list[StoredResource]


class Store:
    """The emulator's SQLite database; see the module docstring for what it holds."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(data_dir / DATABASE_FILE, check_same_thread=False)
        self._lock = threading.RLock()
        self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._transaction() as db:
            db.executescript(_SCHEMA)
            _add_missing_columns(db)
        self._settings = self._load_settings()
        self._token = self._load_token()
        self._page_ends: dict[tuple[str, str, tuple[Any, ...], int], int] = {}

    def reset(self) -> None:
        """Go back to what a fresh start over an empty data directory holds.

        Every table is emptied, whatever the schema comes to hold, except the admin token hashes
        (the running process's credentials); the settings return to their defaults but keep the
        tenant id, which is fixed for the data directory's life. The memory caches follow.
        """
        with self._lock:
            with self._resource_write() as db:
                tables = db.execute(
                    "SELECT name FROM sqlite_schema WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                ).fetchall()
                for (table,) in tables:
                    if table == "settings":
                        db.execute("DELETE FROM settings WHERE key != 'tenant_id'")
                    elif table not in _KEPT_ON_RESET:
                        db.execute(f"DELETE FROM {table}")
            self._settings = self._load_settings()
            self._token = self._load_token()

    def close(self) -> None:
        """Close the database; the WAL is checkpointed so the file stands alone."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    @contextmanager
    def _resource_write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that writes users, groups or memberships: page ends are forgotten."""
        with self._transaction() as db:
            self._page_ends.clear()
            yield db

    # Settings and tokens

    def _load_settings(self) -> ScimSettings:
        with self._transaction() as db:
            defaults = {
                "tenant_id": str(uuid.uuid4()),
                "enabled": "false",
                "account_size_gb": str(DEFAULT_ACCOUNT_SIZE_GB),
                "owner": "",
            }
            db.executemany(
                "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", defaults.items()
            )
            values = dict(db.execute("SELECT key, value FROM settings").fetchall())
        return ScimSettings(
            enabled=values["enabled"] == "true",
            account_size_gb=int(values["account_size_gb"]),
            tenant_id=values["tenant_id"],
            owner=values["owner"] or None,
        )

    def settings(self) -> ScimSettings:
        """Return the SCIM settings (served from memory)."""
        return self._settings

    def save_settings(
        self, enabled: bool, account_size_gb: int, owner: str | _Keep | None = KEEP
    ) -> ScimSettings:
        """Store new settings; the tenant id never changes, the owner only when given."""
        new_owner = self._settings.owner if isinstance(owner, _Keep) else owner
        values = [
            ("true" if enabled else "false", "enabled"),
            (str(account_size_gb), "account_size_gb"),
            (new_owner or "", "owner"),
        ]
        with self._transaction() as db:
            db.executemany("UPDATE settings SET value = ? WHERE key = ?", values)
            self._settings = replace(
                self._settings, enabled=enabled, account_size_gb=account_size_gb, owner=new_owner
            )
        return self._settings

    def set_admin_token_hash(self, role: str, token_hash: str) -> None:
        """Record the hash of the admin API token that a role authenticates with."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO admin_tokens (role, token_hash) VALUES (?, ?)",
                (role, token_hash),
            )

    def admin_token_hashes(self) -> dict[str, str]:
        """Return role → token hash for the admin API."""
        with self._lock:
            return dict(self._db.execute("SELECT role, token_hash FROM admin_tokens"))

    def _load_token(self) -> ScimTokenRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, token_hash, created_at, last_used_at, label FROM scim_token"
            ).fetchone()
        return ScimTokenRecord(*row) if row else None

    def scim_token(self) -> ScimTokenRecord | None:
        """Return the active SCIM token's record (served from memory), or None."""
        return self._token

    def replace_scim_token(self, token: ScimTokenRecord) -> None:
        """Make `token` the only active one; the previous one stops working at once."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO scim_token VALUES (1, ?, ?, ?, ?, ?)",
                (token.id, token.token_hash, token.created_at, token.last_used_at, token.label),
            )
            self._token = token

    def revoke_scim_token(self, token_id: str) -> bool:
        """Revoke the active token if it has this id; False when it is not the active one."""
        with self._transaction() as db:
            if self._token is None or self._token.id != token_id:
                return False
            db.execute("DELETE FROM scim_token")
            self._token = None
        return True

    def touch_scim_token(self, used_at: str) -> None:
        """Record a use of the active token; writes at most once per second of `used_at`."""
        token = self._token
        if token is None or token.last_used_at == used_at:
            return
        with self._transaction() as db:
            db.execute("UPDATE scim_token SET last_used_at = ? WHERE id = ?", (used_at, token.id))
            self._token = replace(token, last_used_at=used_at)

    # Users and their backup accounts

    def insert_user(self, user: UserRecord, account_id: str, quota_gb: int) -> None:
        """Store a new user and the backup account that provisioning gives it."""
        resource = user.resource
        try:
            with self._resource_write() as db:
                db.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        *_user_columns(user),
                        resource.created_at,
                        resource.modified_at,
                        json.dumps(resource.document),
                    ),
                )
                db.execute(
                    "INSERT INTO backup_accounts VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        account_id,
                        resource.id,
                        user.user_name,
                        user.external_id,
                        quota_gb,
                        user.active,
                        resource.created_at,
                    ),
                )
        except sqlite3.IntegrityError as error:
            raise UniquenessConflict(str(error)) from error

    def update_user(self, user: UserRecord) -> None:
        """Store a changed user; its backup account follows name, externalId and active."""
        resource = user.resource
        try:
            with self._resource_write() as db:
                user_id, user_name_key, external_id, active = _user_columns(user)
                db.execute(
                    "UPDATE users SET active = ?, modified_at = ?, document = ? WHERE id = ?",
                    (active, resource.modified_at, json.dumps(resource.document), user_id),
                )
                # Its own statement, so the two indexes are only rewritten on a change.
                db.execute(
                    "UPDATE users SET user_name_key = ?1, external_id = ?2 WHERE id = ?3"
                    " AND (user_name_key IS NOT ?1 OR external_id IS NOT ?2)",
                    (user_name_key, external_id, user_id),
                )
                db.execute(
                    "UPDATE backup_accounts SET user_name = ?1, external_id = ?2, active = ?3"
                    " WHERE user_id = ?4 AND"
                    " (user_name IS NOT ?1 OR external_id IS NOT ?2 OR active IS NOT ?3)",
                    (user.user_name, user.external_id, user.active, resource.id),
                )
        except sqlite3.IntegrityError as error:
            raise UniquenessConflict(str(error)) from error

    def delete_user(self, user_id: str) -> bool:
        """Delete a user, its backup account and its memberships; False if unknown."""
        with self._resource_write() as db:
            deleted = db.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount
            db.execute("DELETE FROM memberships WHERE member_id = ?", (user_id,))
        return deleted > 0

    def get_user(self, user_id: str) -> StoredResource | None:
        """Return one user, or None."""
        return self._get("users", user_id)

    def query_users(self, condition: SqlCondition, offset: int, limit: int) -> Page:
        """Return the users matching `condition`, in creation order."""
        return self._query("users", condition, offset, limit)

    def backup_accounts(self) -> list[BackupAccount]:
        """Return every backup account, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, user_name, external_id, quota_gb, active, created_at"
                " FROM backup_accounts ORDER BY rowid"
            ).fetchall()
        return [
            BackupAccount(
                id=row[0],
                user_name=row[1],
                external_id=row[2],
                quota_gb=row[3],
                active=bool(row[4]),
                created_at=row[5],
            )
            for row in rows
        ]

    # Groups

    def insert_group(self, group: GroupRecord) -> None:
        """Store a new group and its members."""
        resource = group.resource
        try:
            with self._resource_write() as db:
                db.execute(
                    "INSERT INTO groups VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        resource.id,
                        fold_case(group.display_name),
                        group.external_id,
                        resource.created_at,
                        resource.modified_at,
                        json.dumps(resource.document),
                    ),
                )
                _insert_members(db, resource.id, group.members)
        except sqlite3.IntegrityError as error:
            raise UniquenessConflict(str(error)) from error

    def update_group(self, group: GroupRecord) -> None:
        """Store a changed group, replacing its member list."""
        resource = group.resource
        try:
            with self._resource_write() as db:
                db.execute(
                    "UPDATE groups SET display_name_key = ?, external_id = ?, modified_at = ?,"
                    " document = ? WHERE id = ?",
                    (
                        fold_case(group.display_name),
                        group.external_id,
                        resource.modified_at,
                        json.dumps(resource.document),
                        resource.id,
                    ),
                )
                db.execute("DELETE FROM memberships WHERE group_id = ?", (resource.id,))
                _insert_members(db, resource.id, group.members)
        except sqlite3.IntegrityError as error:
            raise UniquenessConflict(str(error)) from error

    def delete_group(self, group_id: str) -> bool:
        """Delete a group, its memberships and its membership in other groups."""
        with self._resource_write() as db:
            deleted = db.execute("DELETE FROM groups WHERE id = ?", (group_id,)).rowcount
            db.execute("DELETE FROM memberships WHERE member_id = ?", (group_id,))
        return deleted > 0

    def get_group(self, group_id: str) -> StoredResource | None:
        """Return one group (without members), or None."""
        return self._get("groups", group_id)

    def query_groups(self, condition: SqlCondition, offset: int, limit: int) -> Page:
        """Return the groups matching `condition`, in creation order."""
        return self._query("groups", condition, offset, limit)

    def group_members(self, group_id: str) -> list[Member]:
        """Return the members of a group, in insertion order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT m.member_id, m.display,"
                " CASE WHEN u.id IS NULL THEN 'Group' ELSE 'User' END"
                " FROM memberships m LEFT JOIN users u ON u.id = m.member_id"
                " WHERE m.group_id = ? ORDER BY m.rowid",
                (group_id,),
            ).fetchall()
        return [Member(member_id, display, kind) for member_id, display, kind in rows]

    def enclosing_groups(self, group_id: str) -> set[str]:
        """Return the group and every group that holds it, directly or through others.

        A group whose members include one of these would contain itself.
        """
        with self._lock:
            rows = self._db.execute(
                "WITH RECURSIVE enclosing(id) AS (SELECT ? UNION"
                " SELECT m.group_id FROM memberships m JOIN enclosing e ON m.member_id = e.id)"
                " SELECT id FROM enclosing",
                (group_id,),
            ).fetchall()
        return {row[0] for row in rows}

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Return which of `ids` name a stored user or group."""
        wanted = list(set(ids))
        if not wanted:
            return set()
        marks = ", ".join("?" * len(wanted))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM users WHERE id IN ({marks})"
                f" UNION SELECT id FROM groups WHERE id IN ({marks})",
                (*wanted, *wanted),
            ).fetchall()
        return {row[0] for row in rows}

    # Shared queries

    def _get(self, table: str, resource_id: str) -> StoredResource | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT id, document, created_at, modified_at FROM {table} WHERE id = ?",
                (resource_id,),
            ).fetchone()
        return _resource(row) if row else None

    def _query(self, table: str, condition: SqlCondition, offset: int, limit: int) -> Page:
        """One page in creation (rowid) order.

        A client walking the pages in turn (`startIndex` 1, 101, 201, … as
        Okta's import does) continues after the last rowid of the page before
        (keyset paging) instead of making SQLite skip `offset` rows again. The
        page ends are remembered until the next write to users or groups, so
        a page is always the one OFFSET would give. A page that ends before
        `limit` tells the total by itself (a lookup by userName or
        externalId finds zero or one), so only a full or an empty page past
        the start costs a COUNT.
        """
        where = f"WHERE {condition.sql}" if condition.sql else ""
        key = (table, condition.sql, condition.params, offset)
        with self._lock:
            after = self._page_ends.get(key)
            if after is None:
                page_sql, params = "LIMIT ? OFFSET ?", (*condition.params, limit, offset)
            else:
                joiner = "AND" if where else "WHERE"
                page_sql = f"{joiner} rowid > ? ORDER BY rowid LIMIT ?"
                params = (*condition.params, after, limit)
            order = "" if after is not None else "ORDER BY rowid "
            rows = self._db.execute(
                f"SELECT rowid, id, document, created_at, modified_at FROM {table} {where}"
                f" {order}{page_sql}",
                params,
            ).fetchall()
            if rows and len(self._page_ends) < MAX_REMEMBERED_PAGES:
                self._page_ends[(*key[:3], offset + len(rows))] = rows[-1][0]
            if len(rows) < limit and (rows or offset == 0):
                total = offset + len(rows)
            else:
                (total,) = self._db.execute(
                    f"SELECT COUNT(*) FROM {table} {where}", condition.params
                ).fetchone()
        return Page(total=total, resources=[_resource(row[1:]) for row in rows])


def _user_columns(user: UserRecord) -> tuple[Any, ...]:
    return (user.resource.id, fold_case(user.user_name), user.external_id, user.active)


def _insert_members(db: sqlite3.Connection, group_id: str, members: Iterable[Member]) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO memberships (group_id, member_id, display) VALUES (?, ?, ?)",
        [(group_id, member.id, member.display) for member in members],
    )


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Bring a data directory written by an older emulator up to today's schema.

    Token labels and member `display` came later; old rows get NULL (no label, no display).
    """
    for table, column in (("scim_token", "label"), ("memberships", "display")):
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in columns:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")


def _resource(row: tuple[str, str, str, str]) -> StoredResource:
    return StoredResource(
        id=row[0], document=json.loads(row[1]), created_at=row[2], modified_at=row[3]
    )
