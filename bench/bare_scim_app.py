"""The emulator's baseline: a bare FastAPI + SQLite app on the same SCIM routes.

    .venv/bin/python bench/bare_scim_app.py [--data-dir DIR]

What a SCIM endpoint costs with no validation at all: one bearer-token
compare, users as JSON documents in one SQLite table with the two lookup
columns, `attr eq "value"` filters by regular expression and PATCH applied
naively. It serves exactly the requests of `bench/scim_throughput.py`'s
Entra cycle (lookup by userName and externalId, create, get, update, disable)
with the statuses the cycle expects, under the same uvicorn settings as the
emulator (`scim_setup.emulator.server`), and prints one JSON line when it is ready:
`{"tenant_url", "token"}`. It exists only to be measured (issue 13).
"""

import argparse
import json
import re
import secrets
import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response

from scim_setup.emulator.listen import base_url, bind_socket
from scim_setup.emulator.server import serve

_FILTER = re.compile(r'\s*(\w+)\s+eq\s+"?([^"]*)"?\s*', re.IGNORECASE)
_COLUMNS = {"username": "user_name", "externalid": "external_id", "id": "id"}
_MEDIA_TYPE = "application/scim+json"


def create_app(database: Path, token: str) -> FastAPI:
    """The four routes of the cycle, over one SQLite file."""
    db = sqlite3.connect(database, check_same_thread=False)
    db.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT UNIQUE, external_id TEXT,"
        " document TEXT NOT NULL); CREATE INDEX users_external_id ON users (external_id);"
    )
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    expected = f"Bearer {token}"

    def reply(body: Any, status: int = 200) -> Response:
        return Response(json.dumps(body), status_code=status, media_type=_MEDIA_TYPE)

    def authorised(request: Request) -> bool:
        return secrets.compare_digest(request.headers.get("authorization", ""), expected)

    @app.get("/scim/v2/{tenant}/Users")
    async def list_users(request: Request, tenant: str) -> Response:
        if not authorised(request):
            return reply({"status": "401"}, 401)
        match = _FILTER.fullmatch(request.query_params.get("filter", ""))
        column = _COLUMNS.get(match.group(1).lower(), "id") if match else "id"
        value = (
            match.group(2).lower()
            if match and column == "user_name"
            else (match.group(2) if match else "")
        )
        rows = db.execute(f"SELECT document FROM users WHERE {column} = ?", (value,)).fetchall()
        resources = [json.loads(row[0]) for row in rows]
        return reply({"totalResults": len(resources), "Resources": resources})

    @app.post("/scim/v2/{tenant}/Users")
    async def create_user(request: Request, tenant: str) -> Response:
        if not authorised(request):
            return reply({"status": "401"}, 401)
        document = json.loads(await request.body())
        document["id"] = str(uuid.uuid4())
        with db:
            db.execute(
                "INSERT INTO users VALUES (?, ?, ?, ?)",
                (
                    document["id"],
                    document["userName"].lower(),
                    document.get("externalId"),
                    json.dumps(document),
                ),
            )
        return reply(document, 201)

    @app.get("/scim/v2/{tenant}/Users/{user_id}")
    async def get_user(request: Request, tenant: str, user_id: str) -> Response:
        if not authorised(request):
            return reply({"status": "401"}, 401)
        row = db.execute("SELECT document FROM users WHERE id = ?", (user_id,)).fetchone()
        return reply(json.loads(row[0])) if row else reply({"status": "404"}, 404)

    @app.patch("/scim/v2/{tenant}/Users/{user_id}")
    async def patch_user(request: Request, tenant: str, user_id: str) -> Response:
        if not authorised(request):
            return reply({"status": "401"}, 401)
        row = db.execute("SELECT document FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            return reply({"status": "404"}, 404)
        document = json.loads(row[0])
        for operation in json.loads(await request.body()).get("Operations", []):
            _apply(document, operation.get("path"), operation.get("value"))
        with db:
            db.execute(
                "UPDATE users SET document = ? WHERE id = ?", (json.dumps(document), user_id)
            )
        return reply(document)

    return app


def _apply(document: dict[str, Any], path: str | None, value: Any) -> None:
    """Set `value` at a dotted path, ignoring filters; a path-less value is merged."""
    if path is None:
        if isinstance(value, dict):
            document.update(value)
        return
    *parents, leaf = re.sub(r"\[.*?\]", "", path).split(".")
    target = document
    for name in parents:
        child = target.setdefault(name, {})
        target = child[0] if isinstance(child, list) and child else child
        if not isinstance(target, dict):
            return
    target[leaf] = value


def main() -> int:
    """Serve on a free loopback port until SIGTERM."""
    parser = argparse.ArgumentParser(description="bare FastAPI + SQLite SCIM baseline")
    parser.add_argument("--data-dir", type=Path, default=None, help="SQLite directory")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="bare-scim-"))
    token = secrets.token_urlsafe(32)
    app = create_app(data_dir / "bare.sqlite3", token)
    sock = bind_socket("127.0.0.1", 0)
    url = base_url("127.0.0.1", sock.getsockname()[1])
    ready = {"tenant_url": f"{url}/scim/v2/{uuid.uuid4()}", "token": token}
    serve(app, sock, lambda: print(json.dumps(ready), flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
