"""`make review-fixtures`: record the Entra previews `scim-setup review`'s tests read.

    .venv/bin/python -m scripts.record_previews [--out tests/cli/data]

Runs the real program with an `entra` section through the real engine, on the Dashboard emulator,
the fake Graph and the azuread stand-in plugin (as `make demo` does), and saves two
`pulumi preview --json` documents:

- `entra-new-preview.json`: the first preview of stack `prod` (a new enterprise application, the
  groups Sales and Engineering assigned, attribute mappings): every resource the program creates.
- `entra-preview.json`: after `pulumi up`, the preview of a pull request that changes several
  things at once: 100 GB accounts instead of 50, new keepers (token rotation), `entra:syncAll`
  on, and Sales unassigned.

The CLI masks every secret in these documents as "[secret]"; before writing, this script checks
that neither the SCIM token, the Dashboard admin token, the Graph client secret nor the stack's
passphrase appears in them, and fails (writing nothing) if one does.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from scim_setup.emulator.azuread import PLUGIN_DIR
from scim_setup.emulator.azuread.timing import TIME_SCALE_ENV
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, project_copy

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "cli" / "data"
AZUREAD_TIME_SCALE = "0.1"
"""The stand-in's waits at a tenth of upstream's: still longer than the fake Graph's replication
lag of a new service principal (docs/azuread-stand-in.md)."""

SALES = "5a1e0000-0000-4000-8000-00000000a001"
ENGINEERING = "5a1e0000-0000-4000-8000-00000000a002"
USERS = [
    {
        "id": f"5a1e0000-0000-4000-8000-00000000000{n}",
        "userPrincipalName": f"{nick}@contoso.onmicrosoft.com",
        "mail": f"{nick}@contoso.com",
        "mailNickname": nick,
        "displayName": name,
        "department": department,
        "assigned": False,
    }
    for n, (nick, name, department) in enumerate(
        [("ada", "Ada Lovelace", "Sales"), ("bob", "Bob Builder", "Engineering")], start=1
    )
]
GROUPS = [
    {"id": SALES, "displayName": "Sales", "members": [USERS[0]["id"]]},
    {"id": ENGINEERING, "displayName": "Engineering", "members": [USERS[1]["id"]]},
]
MAPPINGS = [{"target": "userName", "source": "mail"}]


def deployed_stack(work: Path, dashboard: EmulatorProcess, graph: FakeGraphProcess) -> LocalStack:
    """Stack `prod` of this project, configured (not yet deployed) as the fixtures describe."""
    project = project_copy(work)
    # The project's plugins entry, not PATH: the engine then logs no warning naming this
    # machine's path into the recorded diagnostics (docs/azuread-stand-in.md).
    plugins = {"providers": [{"name": "azuread", "path": str(PLUGIN_DIR)}]}
    with (project / "Pulumi.yaml").open("a") as settings:
        settings.write(yaml.safe_dump({"plugins": plugins}, sort_keys=False))
    stack = LocalStack(project, work, "prod", passphrase=secrets.token_urlsafe(16))
    stack.env.update(graph.environment())
    stack.env[TIME_SCALE_ENV] = AZUREAD_TIME_SCALE
    stack.init()
    stack.set_config("dashboard:url", dashboard.url)
    stack.set_config("dashboard:apiToken", dashboard.admin_token, secret=True)
    stack.set_config("scim:keepers", '{"rotation": "2026-11"}')
    stack.set_object_config("entra:application", {"displayName": "Backup SCIM"})
    stack.set_object_config("entra:assignedGroups", [SALES, ENGINEERING])
    stack.set_object_config("entra:attributeMappings", MAPPINGS)
    return stack


def preview(stack: LocalStack) -> str:
    return stack.preview("--json").stdout


def scim_token(stack: LocalStack) -> str:
    """The SCIM token in state, decrypted (kept out of the stack's transcript)."""
    deployment = json.loads(stack.run("stack", "export", "--show-secrets").stdout)["deployment"]
    token = next(
        r["outputs"]["token"]
        for r in deployment["resources"]
        if r["type"] == "pulumi-python:dynamic/dashboard:ScimToken"
    )
    return json.loads(token["plaintext"]) if isinstance(token, dict) else str(token)


def check_no_secret(recorded: dict[str, str], hidden: dict[str, str]) -> None:
    """Fail naming the file and the kind of secret, never the secret."""
    for file, text in recorded.items():
        for what, value in hidden.items():
            if value and value in text:
                raise SystemExit(f"record_previews: {what} appears in {file}; nothing written")


def record(out: Path) -> list[Path]:
    """Run the previews and write the fixtures to `out`; return the files written."""
    with (
        tempfile.TemporaryDirectory(prefix="scim-review-fixtures-") as tmp,
        EmulatorProcess(Path(tmp) / "emulator") as dashboard,
        FakeGraphProcess(Path(tmp) / "graph") as graph,
    ):
        graph.add_users(*USERS)
        graph.add_groups(*GROUPS)
        stack = deployed_stack(Path(tmp) / "stack", dashboard, graph)
        recorded: dict[str, str] = {"entra-new-preview.json": preview(stack)}
        stack.up()
        stack.set_config("scim:accountSizeGb", "100")
        stack.set_config("scim:keepers", '{"rotation": "2026-12"}')
        stack.set_config("entra:syncAll", "true")
        stack.set_object_config("entra:assignedGroups", [ENGINEERING])
        recorded["entra-preview.json"] = preview(stack)
        hidden = {
            "the SCIM token": scim_token(stack),
            "the Dashboard admin token": dashboard.admin_token,
            "the Graph client secret": graph.client_secret,
            "the stack's passphrase": stack.env["PULUMI_CONFIG_PASSPHRASE"],
        }
        check_no_secret({**recorded, "the CLI's output": stack.transcript()}, hidden)
        stack.destroy()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in recorded.items():
        path = out / name
        path.write_text(json.dumps(_stable(json.loads(text)), indent=2) + "\n")
        written.append(path)
    return written


MACHINE_KEYS = frozenset({"duration", "sourcePosition", "stackTrace"})
"""What says how long the preview took and where this machine keeps the program's code and
virtualenv; `scim-setup review` reads none of it."""


def _stable(value: Any) -> Any:
    """The preview without `MACHINE_KEYS`, so a recording on another machine differs only in
    the plan's ids, ports and timestamps."""
    if isinstance(value, dict):
        return {key: _stable(item) for key, item in value.items() if key not in MACHINE_KEYS}
    if isinstance(value, list):
        return [_stable(item) for item in value]
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description="record the Entra previews review's tests read")
    parser.add_argument("--out", type=Path, default=OUT, help="where the JSON files go")
    args = parser.parse_args()
    for path in record(args.out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
