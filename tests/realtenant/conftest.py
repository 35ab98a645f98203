"""Where the Entra step's engine tests run: the local stand-ins, and a real tenant if there is one.

Every test of this suite runs once per target (`target` fixture):

- `local`: the Dashboard emulator, the fake Graph and the azuread stand-in plugin (the engine
  tests' stack, `tests/support/entra_stack.py`). Always runs, in `make test`.
- `live`: a real Entra tenant and a real Dashboard account, with the real pulumi-azuread plugin.
  It runs when their credentials are in the environment (`LIVE_ENV`, plus a Graph credential the
  azuread provider reads: `ARM_CLIENT_SECRET`, `ARM_OIDC_TOKEN` or `ARM_USE_OIDC=true`), and is
  skipped otherwise, naming what is missing: the one suite that may skip, because it needs
  credentials the project does not have. `.github/workflows/real-tenant.yml` runs it with
  `REQUIRE_LIVE_ENV=1`, where missing credentials fail instead.

Use a Dashboard account and an Entra tenant kept for this: the suite enables SCIM on the account,
generates its token, creates an enterprise app (`scim-setup-test-<run>`) and destroys it all again
(also when a test fails half-way).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from providers.dashboard.client import DashboardClient
from providers.graph.client import GraphClient
from providers.graph.credentials import GraphCredentials
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, python_project
from tests.engine.conftest import pulumi_cli  # noqa: F401 (the fixture)
from tests.support.entra_stack import SALES, entra_stack, fake_entra

ROOT = Path(__file__).resolve().parents[2]
LIVE_ENV = {
    "SCIM_SETUP_LIVE_DASHBOARD_URL": "the test Dashboard's base URL",
    "SCIM_SETUP_LIVE_DASHBOARD_API_TOKEN": "an administrator's admin API token on it",
    "ARM_TENANT_ID": "the Entra tenant",
    "ARM_CLIENT_ID": "the app the suite signs in as, with the permissions of docs/permissions.md",
}
LIVE_GROUP_ENV = "SCIM_SETUP_LIVE_GROUP_ID"
"""Optional: the object id of a group to assign to the app in the real tenant."""
GRAPH_CREDENTIAL_ENV = ("ARM_CLIENT_SECRET", "ARM_OIDC_TOKEN", "ARM_USE_OIDC")
REQUIRE_LIVE_ENV = "REQUIRE_LIVE_ENV"
"""Set (to anything) where the live target must run: missing credentials then fail, not skip."""


@dataclass
class Target:
    """The Dashboard and the tenant one run of the suite talks to, and how to reach them."""

    name: str
    dashboard_url: str
    dashboard_token: str = field(repr=False)
    env: Mapping[str, str] = field(repr=False)
    """The environment of the stack's processes and of the test's own Graph client."""
    groups: list[str]
    emulator: EmulatorProcess | None = None
    fake_graph: FakeGraphProcess | None = None

    @property
    def application(self) -> dict[str, str]:
        run = os.environ.get("GITHUB_RUN_ID") or uuid.uuid4().hex[:8]
        return {"displayName": f"scim-setup-test-{run}"}

    def stack(self, work: Path) -> LocalStack:
        """A passphrase stack of the real program with an `entra` section, aimed at this target."""
        if self.emulator is not None and self.fake_graph is not None:
            return entra_stack(work, self.emulator, self.fake_graph, self.application, self.groups)
        program = (ROOT / "__main__.py").read_text()
        stack = LocalStack(python_project(work / "project", program, ROOT / ".venv"), work, "live")
        stack.env.update(self.env)
        # The real pulumi-azuread plugin, at the version the installed SDK names.
        stack.env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "false"
        stack.init()
        stack.set_config("dashboard:url", self.dashboard_url)
        stack.set_config("dashboard:apiToken", self.dashboard_token, secret=True)
        stack.set_object_config("entra:application", self.application)
        if self.groups:
            stack.set_object_config("entra:assignedGroups", self.groups)
        return stack

    def dashboard(self) -> DashboardClient:
        return DashboardClient(self.dashboard_url, self.dashboard_token)

    def graph(self) -> GraphClient:
        """The package's own Graph client, signed in as the stack's azuread provider is."""
        return GraphCredentials.from_config({}, self.env).client()

    def secrets(self) -> list[str]:
        """The credentials no state, output or log may show."""
        names = ("ARM_CLIENT_SECRET", "ARM_OIDC_TOKEN")
        return [self.dashboard_token, *(self.env[n] for n in names if self.env.get(n))]


def live_problem(environ: Mapping[str, str]) -> str | None:
    """Why the live target cannot run with `environ`, or None when it can."""
    missing = [name for name in LIVE_ENV if not environ.get(name)]
    if not any(environ.get(name) for name in GRAPH_CREDENTIAL_ENV):
        missing.append(" or ".join(GRAPH_CREDENTIAL_ENV))
    if not missing:
        return None
    return (
        f"no real tenant: set {', '.join(missing)} to run this suite against one "
        "(tests/realtenant/conftest.py says what each is)"
    )


def live_target() -> Target:
    if problem := live_problem(os.environ):
        if os.environ.get(REQUIRE_LIVE_ENV):
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    group = os.environ.get(LIVE_GROUP_ENV)
    return Target(
        "live",
        os.environ["SCIM_SETUP_LIVE_DASHBOARD_URL"],
        os.environ["SCIM_SETUP_LIVE_DASHBOARD_API_TOKEN"],
        dict(os.environ),
        [group] if group else [],
    )


@pytest.fixture(scope="module", params=["local", "live"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    if request.param == "live":
        yield live_target()
        return
    emulator: EmulatorProcess = request.getfixturevalue("emulator")
    with fake_entra() as graph, pytest.MonkeyPatch.context() as patch:
        # This process's own Graph client trusts the fake's certificate, as the stack's do.
        patch.setenv("REQUESTS_CA_BUNDLE", graph.ca_bundle)
        env = {**os.environ, **graph.environment()}
        yield Target("local", emulator.url, emulator.admin_token, env, [SALES], emulator, graph)
