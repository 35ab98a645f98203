"""Stacks of the real program with an `entra` section, run by the real engine.

The Dashboard is the emulator, Entra is the fake Graph, and pulumi-azuread is the stand-in
resource plugin (`scim_setup.emulator.azuread`): its launcher directory goes first on the stack's
`PATH`, where the engine looks for a `pulumi-resource-azuread` before any installed plugin. The
stand-in reads the same `ARM_*` credentials as the real provider, which the fake Graph hands out
(`FakeGraphProcess.environment()`), and its waits (the real provider's polls for Graph's
replication) run on a scaled clock so a module takes seconds, not minutes.

`entra_stack` sets `entra:*` as an operator would write `Pulumi.<stack>.yaml` (README's
configuration table); `GraphLog` tells which Graph calls a command made, so a test can prove that
a command changed nothing in Entra.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from scim_setup.emulator.azuread import PLUGIN_DIR
from scim_setup.emulator.azuread.timing import TIME_SCALE_ENV
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, python_project
from tests.support.leaks import assert_not_leaked

ROOT = Path(__file__).resolve().parents[2]
TIME_SCALE = "0.01"
"""The stand-in's waits at a hundredth of the real provider's (1 s polls become 10 ms)."""

SALES = "5a1e0000-0000-4000-8000-00000000a001"
ENGINEERING = "5a1e0000-0000-4000-8000-00000000a002"
USERS = [
    {
        "id": "5a1e0000-0000-4000-8000-000000000001",
        "userPrincipalName": "ada@contoso.onmicrosoft.com",
        "mail": "ada.lovelace@contoso.com",
        "mailNickname": "ada",
        "displayName": "Ada Lovelace",
        "givenName": "Ada",
        "surname": "Lovelace",
        "department": "Sales",
    },
    {
        "id": "5a1e0000-0000-4000-8000-000000000002",
        "userPrincipalName": "bob@contoso.onmicrosoft.com",
        "mail": "bob.builder@contoso.com",
        "mailNickname": "bob",
        "displayName": "Bob Builder",
        "department": "Engineering",
    },
    {
        "id": "5a1e0000-0000-4000-8000-000000000003",
        "userPrincipalName": "carol@contoso.onmicrosoft.com",
        "mail": "carol.shaw@contoso.com",
        "mailNickname": "carol",
        "displayName": "Carol Shaw",
        "department": "Sales",
    },
]
"""The fake directory: Ada and Carol in Sales, Bob in Engineering; none assigned directly."""
GROUPS = [
    {"id": SALES, "displayName": "Sales", "members": [USERS[0]["id"], USERS[2]["id"]]},
    {"id": ENGINEERING, "displayName": "Engineering", "members": [USERS[1]["id"]]},
]

USER_ROLE = "0e5c0000-0000-4000-8000-0000000000e4"
USER_ROLES = [
    {
        "id": USER_ROLE,
        "displayName": "User",
        "description": "User",
        "value": None,
        "allowedMemberTypes": ["User"],
        "isEnabled": True,
        "origin": "Application",
    }
]
"""The app roles of an enterprise app made in the portal (e.g. the SSO app): one `User` role."""

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_ONLY_POSTS = ("/validateCredentials",)
"""Graph POSTs that change nothing: Test Connection runs on every preview and up."""


def entra_stack(
    work: Path,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    application: Mapping[str, str],
    groups: Sequence[str] = (),
    name: str = "entra",
) -> LocalStack:
    """A passphrase stack of the real program with `entra:application` and
    `entra:assignedGroups`, signing in to `graph` through the stand-in azuread plugin."""
    text = (ROOT / "__main__.py").read_text()
    stack = LocalStack(python_project(work / "project", text, ROOT / ".venv"), work, name)
    stack.env.update(graph.environment())
    stack.env["PATH"] = os.pathsep.join([str(PLUGIN_DIR), stack.env.get("PATH", "")])
    stack.env[TIME_SCALE_ENV] = TIME_SCALE
    stack.init()
    stack.set_config("dashboard:url", emulator.url)
    stack.set_config("dashboard:apiToken", emulator.admin_token, secret=True)
    stack.set_object_config("entra:application", dict(application))
    if groups:
        stack.set_object_config("entra:assignedGroups", list(groups))
    return stack


@contextmanager
def fake_entra() -> Iterator[FakeGraphProcess]:
    """A fake Graph holding the directory (`seed_directory`), new apps readable at once
    (`replicate_at_once`)."""
    with FakeGraphProcess() as graph:
        replicate_at_once(graph)
        seed_directory(graph)
        yield graph


def seed_directory(graph: FakeGraphProcess) -> None:
    """Put `USERS` and `GROUPS` in the fake directory: a user is in scope through a group."""
    graph.add_users(*({**user, "assigned": False} for user in USERS))
    graph.add_groups(*GROUPS)


def replicate_at_once(graph: FakeGraphProcess) -> None:
    """New service principals readable at once, so a module does not wait out Graph's replication
    lag (the fake's default) on every new app; `tests/engine/test_entra_replication_lag.py` proves
    the real program waits for it (`ServicePrincipalReady`)."""
    graph.set_replication_lag(0)


def job_parts(job_id: str) -> tuple[str, str]:
    """(service principal id, job id) of `/servicePrincipals/{sp}/synchronization/jobs/{job}`,
    as the fake Graph's `/_fake` routes take them."""
    sp_id, _, job = job_id.removeprefix("/servicePrincipals/").partition("/synchronization/jobs/")
    return sp_id, job


def provisioning_cycle(graph: FakeGraphProcess, job_id: str) -> dict[str, Any]:
    """One provisioning cycle of the job `job_id` (`/servicePrincipals/…/jobs/{jobId}`), now;
    the job's status after it."""
    return graph.run_cycle(job_parts(job_id)[1])["status"]


def backup_accounts(emulator: EmulatorProcess) -> dict[str, dict[str, Any]]:
    """The Dashboard's backup accounts by login (`userName`)."""
    response = requests.get(
        f"{emulator.url}/api/v1/backup-accounts",
        headers={"Authorization": f"Bearer {emulator.admin_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return {item["userName"]: item for item in response.json()["items"]}


def scim_token(stack: LocalStack) -> str:
    """The SCIM token in the stack's state, decrypted (`pulumi stack export --show-secrets`,
    kept out of the transcript): with an entra section the program does not export it."""
    deployment = json.loads(stack.run("stack", "export", "--show-secrets").stdout)["deployment"]
    token = next(
        r["outputs"]["token"]
        for r in deployment["resources"]
        if r["type"] == "pulumi-python:dynamic/dashboard:ScimToken"
    )
    return json.loads(token["plaintext"]) if isinstance(token, dict) else token


def assert_nothing_leaked(
    stack: LocalStack,
    graph: FakeGraphProcess,
    emulator: EmulatorProcess,
    secrets: Iterable[str],
) -> None:
    """No SCIM token in `secrets`, nor the admin token or Graph client secret, is in the stack's
    state, the CLI's output, the stack config file, or the emulator's or fake Graph's log."""
    texts = {
        "the stack's state": stack.export(),
        "the pulumi CLI's output": stack.transcript(),
        "the stack config file": stack.config_file.read_text(),
        "the emulator log": emulator.log_text(),
        "the fake Graph's log": graph.log_text(),
    }
    for where, text in texts.items():
        for secret in {*secrets, emulator.admin_token, graph.client_secret}:
            assert_not_leaked(text, secret, where)


def resource_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def planned_ops(stack: LocalStack, *extra: str) -> dict[str, set[str]]:
    """Each resource's planned steps in `pulumi preview --json`, by resource name (a
    replacement shows as `replace`, `create-replacement` and `delete-replaced`)."""
    steps = json.loads(stack.preview("--json", *extra).stdout)["steps"]
    ops: dict[str, set[str]] = {}
    for step in steps:
        ops.setdefault(resource_name(step["urn"]), set()).add(step["op"])
    return ops


def up_summary(stack: LocalStack, *extra: str) -> dict[str, int]:
    """`pulumi up` and its resource-change counts, read from the engine's JSON event stream."""
    return up_steps(stack, *extra)[0]


def up_steps(stack: LocalStack, *extra: str) -> tuple[dict[str, int], dict[str, set[str]]]:
    """`pulumi up`: its resource-change counts and each resource's steps by name, from the
    engine's JSON event stream."""
    events = [json.loads(line) for line in stack.up("--json", *extra).stdout.splitlines()]
    summary = next(e["summaryEvent"] for e in reversed(events) if "summaryEvent" in e)
    ops: dict[str, set[str]] = {}
    for event in events:
        step = event.get("resOutputsEvent") or event.get("resourcePreEvent")
        if step is not None:
            metadata = step["metadata"]
            ops.setdefault(resource_name(metadata["urn"]), set()).add(metadata["op"])
    return summary["resourceChanges"], ops


def state_resources(stack: LocalStack) -> dict[str, dict[str, Any]]:
    """The stack's resources in state by name (providers left out)."""
    return {
        resource_name(r["urn"]): r
        for r in stack.resources()
        if not r["type"].startswith("pulumi:providers:")
    }


class GraphLog:
    """The fake Graph's requests and start/restart calls since the last `mark()`."""

    def __init__(self, graph: FakeGraphProcess) -> None:
        self.graph = graph
        self.mark()

    def mark(self) -> None:
        self._requests, self._actions = len(self.graph.requests()), len(self.graph.actions())

    def requests(self) -> list[dict[str, Any]]:
        """Graph calls (`/v1.0/…`) since the mark; sign-ins and `/_fake` routes left out."""
        since = self.graph.requests()[self._requests :]
        return [r for r in since if r["path"].startswith("/v1.0/")]

    def writes(self) -> list[str]:
        """`METHOD path` of each Graph call since the mark that could change something."""
        return [
            f"{r['method']} {r['path']}"
            for r in self.requests()
            if r["method"] in WRITE_METHODS and not r["path"].endswith(READ_ONLY_POSTS)
        ]

    def calls(self) -> list[dict[str, Any]]:
        """Each Graph call since the mark as `{"method": "PUT secrets", "status": 204}`: the
        method and what it addressed (a collection for an object id, e.g. `GET jobs`)."""
        return [
            {"method": f"{r['method']} {addressed(r['path'])}", "status": r["status"]}
            for r in self.requests()
        ]

    def actions(self) -> list[dict[str, Any]]:
        return self.graph.actions()[self._actions :]


COLLECTIONS = frozenset(
    {"applications", "servicePrincipals", "jobs", "appRoleAssignedTo", "users", "groups"}
)


def addressed(path: str) -> str:
    """What a Graph path addresses: its last segment, or the collection an object id is in."""
    parts = path.removeprefix("/v1.0/").split("/")
    return parts[-2] if len(parts) > 1 and parts[-2] in COLLECTIONS else parts[-1]
