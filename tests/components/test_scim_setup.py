"""ScimSetup and DashboardScim under mocks: wiring, secrets, and arguments refused up front."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pytest

from components.dashboard_scim import DashboardScim, DashboardScimArgs
from components.entra_application import NewApplication
from components.entra_provisioning import EntraProvisioningArgs, EntraProvisioningArgsError
from components.scim_setup import ScimSetup, ScimSetupArgs
from tests.support.azure_mocks import ENTRA_TEST, JOB, SECRET
from tests.support.stack_program import PROBE, SETTINGS, TENANT_URL, TOKEN, StackMocks

if TYPE_CHECKING:
    from conftest import PulumiEngine


@pytest.fixture
def mocks(pulumi_engine: PulumiEngine) -> StackMocks:
    stack_mocks = StackMocks()
    pulumi_engine.use(stack_mocks)
    return stack_mocks


def entra(**overrides: Any) -> EntraProvisioningArgs:
    return EntraProvisioningArgs(
        application=NewApplication(display_name="Backup SCIM"), **overrides
    )


def test_dashboard_scim_passes_every_setting_to_its_resources(pulumi_engine, mocks):
    args = DashboardScimArgs(
        account_size_gb=300,
        enabled=False,
        keep_enabled_on_destroy=True,
        rotate_after_days=90,
        adopt=True,
    )
    seen: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        dashboard = DashboardScim("dash", args, pulumi.ResourceOptions())
        return pulumi.Output.all(dashboard.tenant_url, dashboard.token_id).apply(
            lambda values: seen.update(tenant_url=values[0], token_id=values[1])
        )

    pulumi_engine.run(program)

    settings = pulumi_engine.one(SETTINGS).inputs
    assert {k: v for k, v in settings.items() if k != "__provider"} == {
        "account_size_gb": 300,
        "enabled": False,
        "keep_enabled_on_destroy": True,
        "adopt": True,
        "owner": "pulumi:organization/scim-setup/test",
    }
    token = pulumi_engine.one(TOKEN).inputs
    assert (token["rotate_after_days"], token["adopt"], token["owner"]) == (
        90,
        True,
        settings["owner"],
    )
    assert seen == {"tenant_url": TENANT_URL, "token_id": "tok_1"}


def test_scim_setup_feeds_the_secret_token_into_entra(pulumi_engine, mocks):
    pulumi_engine.run(lambda: ScimSetup("scim", ScimSetupArgs(DashboardScimArgs(), entra())))

    secret = pulumi_engine.one(SECRET)
    credentials = {c["key"]: c["value"] for c in secret.plain("credentials")}
    assert credentials["BaseAddress"] == TENANT_URL
    assert credentials["SecretToken"] == "scim-secret"
    assert secret.is_secret("credentials")
    assert secret.additional_secret_outputs == ["credentials"]


def test_scim_setup_refuses_a_tenant_url_or_token_of_its_own(pulumi_engine, mocks):
    args = ScimSetupArgs(DashboardScimArgs(), entra(tenant_url="https://x", secret_token="t"))

    with pytest.raises(EntraProvisioningArgsError, match="the Dashboard step supplies them"):
        pulumi_engine.run(lambda: ScimSetup("scim", args))

    assert pulumi_engine.registrations == []


def test_scim_setup_checks_entra_args_before_registering_the_dashboard_step(pulumi_engine, mocks):
    args = ScimSetupArgs(
        DashboardScimArgs(), entra(assigned_group_ids=["sales"], delete_threshold=0)
    )

    with pytest.raises(EntraProvisioningArgsError) as caught:
        pulumi_engine.run(lambda: ScimSetup("scim", args))

    assert len(caught.value.problems) == 2
    assert pulumi_engine.registrations == []


def test_dashboard_test_connection_runs_before_entra_secret_and_job(pulumi_engine, mocks):
    pulumi_engine.run(lambda: ScimSetup("scim", ScimSetupArgs(DashboardScimArgs(), entra())))

    probe, secret, job = (pulumi_engine.one(t) for t in (PROBE, SECRET, JOB))
    assert probe.urn in secret.dependencies  # the secret is built from the probe's outputs
    assert secret.urn in job.dependencies
    order = [r.type for r in pulumi_engine.registrations]
    assert order.index(TOKEN) < order.index(PROBE) < order.index(SECRET) < order.index(JOB)
    assert order.index(JOB) < order.index(ENTRA_TEST)


class FailingProbeMocks(StackMocks):
    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        if args.typ == PROBE:
            raise Exception("Test Connection returned 401: the Dashboard did not accept the token")
        return super().new_resource(args)


def test_failed_dashboard_test_connection_never_reaches_entra(pulumi_engine):
    pulumi_engine.use(FailingProbeMocks())

    with pytest.raises(Exception, match="returned 401"):
        pulumi_engine.run(lambda: ScimSetup("scim", ScimSetupArgs(DashboardScimArgs(), entra())))

    assert pulumi_engine.of_type(SECRET) == []
    assert pulumi_engine.of_type(JOB) == []


def test_without_dashboard_test_connection_the_secret_takes_the_token_directly(
    pulumi_engine, mocks
):
    args = ScimSetupArgs(DashboardScimArgs(test_connection=False), entra())

    pulumi_engine.run(lambda: ScimSetup("scim", args))

    assert pulumi_engine.of_type(PROBE) == []
    assert pulumi_engine.one(TOKEN).urn in pulumi_engine.one(SECRET).dependencies
