"""Every policy against the real program's resource inputs, as the engine hands them to analyzers.

The program runs under the recording mock engine and each resource's serialized inputs go to the
policies through pulumi-policy's public API (tests/support/policy_analyzer.py): every rule and
config combination in milliseconds. The pack on the real engine, with the Entra resources on the
azuread stand-in, is `test_policy_engine.py` and `test_policy_engine_entra.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pulumi.runtime.rpc import UNKNOWN
from pulumi_policy.proxy import UnknownValueError

from policy.scim_policies import (
    SCIM_SETTINGS,
    SCIM_TOKEN,
    SYNC_JOB,
    SYNC_SECRET,
    tenant_url_problem,
)
from tests.support.policy_analyzer import PolicyPack, Resource, Verdict
from tests.support.stack_program import BASE_CONFIG, run_program

if TYPE_CHECKING:
    from tests.components.conftest import PulumiEngine, Registration

GROUP = "aaaaaaaa-0000-4000-8000-00000000000a"
WELL_CONFIGURED = {
    **BASE_CONFIG,
    "scim:accountSizeGb": "100",
    "scim:rotateAfterDays": "90",
    "entra:application": '{"displayName": "Backup SCIM"}',
    "entra:assignedGroups": f'["{GROUP}"]',
    "entra:notificationEmail": "identity-team@example.com",
    "entra:deleteThreshold": "50",
}


def resources(engine: PulumiEngine, config: dict[str, str]) -> dict[str, Resource]:
    run_program(engine, config)
    return {r.type: _resource(r) for r in engine.registrations}


def _resource(registration: Registration) -> Resource:
    return Resource(
        registration.type,
        registration.urn,
        registration.name,
        registration.inputs,
        tuple(sorted(registration.dependencies)),
    )


def verdicts(engine: PulumiEngine, config: dict[str, str], pack: PolicyPack | None = None):
    pack = pack or PolicyPack()
    found = resources(engine, config)
    per_resource = [v for r in found.values() for v in pack.analyze(r)]
    return per_resource + pack.analyze_stack(found.values())


def names(found: list[Verdict]) -> list[tuple[str, str]]:
    return sorted((v.policy, v.level) for v in found)


def with_credential(resource: Resource, key: str, value: Any) -> Resource:
    wrapped = resource.props["credentials"]
    items = [{**c, "value": value} if c["key"] == key else c for c in wrapped["value"]]
    return Resource(
        resource.type,
        resource.urn,
        resource.name,
        {**resource.props, "credentials": {**wrapped, "value": items}},
        resource.dependencies,
    )


def test_well_configured_setup_passes_every_policy(pulumi_engine):
    assert verdicts(pulumi_engine, WELL_CONFIGURED) == []


def test_credentials_reach_the_policies_as_the_secret_the_engine_sends(pulumi_engine):
    secret = resources(pulumi_engine, WELL_CONFIGURED)[SYNC_SECRET]

    assert secret.props["credentials"]["4dabf18193072939515e22adb298388d"] == (
        "1b47061264138c4ac30d75fd1eb44270"
    )


def test_missing_notification_email_and_threshold_are_advisory(pulumi_engine):
    config = {
        k: v
        for k, v in WELL_CONFIGURED.items()
        if k not in ("entra:notificationEmail", "entra:deleteThreshold")
    }

    found = verdicts(pulumi_engine, config)

    assert names(found) == [("deletion-threshold", "advisory"), ("notification-email", "advisory")]
    messages = " ".join(v.message for v in found)
    assert "entra:notificationEmail" in messages
    assert "entra:deleteThreshold" in messages


def test_sync_all_on_is_advisory_and_names_the_key(pulumi_engine):
    found = verdicts(pulumi_engine, {**WELL_CONFIGURED, "entra:syncAll": "true"})

    assert names(found) == [("sync-all-off", "advisory")]
    assert "`pulumi config set entra:syncAll false`" in found[0].message


def test_http_tenant_url_given_to_entra_is_mandatory(pulumi_engine):
    secret = resources(pulumi_engine, WELL_CONFIGURED)[SYNC_SECRET]
    plain_http = with_credential(secret, "BaseAddress", "http://backup.example.com/scim/v2/t1")

    found = PolicyPack().analyze(plain_http)

    assert names(found) == [("entra-tenant-url-https", "mandatory")]
    assert "dashboard:url" in found[0].message


def test_tenant_url_unknown_during_preview_is_not_a_verdict(pulumi_engine):
    secret = resources(pulumi_engine, WELL_CONFIGURED)[SYNC_SECRET]
    unknown = with_credential(secret, "BaseAddress", UNKNOWN)

    with pytest.raises(UnknownValueError):
        PolicyPack().analyze(unknown)


def test_job_depending_on_its_secret_passes_and_one_that_does_not_fails(pulumi_engine):
    found = resources(pulumi_engine, WELL_CONFIGURED)
    job, secret = found[SYNC_JOB], found[SYNC_SECRET]
    assert secret.urn in job.dependencies
    detached = Resource(job.type, job.urn, job.name, job.props, ())

    assert PolicyPack().analyze_stack([secret, job]) == []
    failed = PolicyPack().analyze_stack([secret, detached])

    assert names(failed) == [("sync-job-after-secret", "mandatory")]
    assert "entra:startProvisioning" in failed[0].message


def test_stopped_job_without_the_dependency_passes(pulumi_engine):
    found = resources(pulumi_engine, {**WELL_CONFIGURED, "entra:startProvisioning": "false"})
    job = found[SYNC_JOB]
    detached = Resource(job.type, job.urn, job.name, job.props, ())

    assert PolicyPack().analyze_stack([found[SYNC_SECRET], detached]) == []


@pytest.mark.parametrize(
    ("config", "policy", "key"),
    [
        ({"scim:accountSizeGb": "5"}, "account-size-bounds", "scim:accountSizeGb"),
        ({"scim:accountSizeGb": "2000"}, "account-size-bounds", "scim:accountSizeGb"),
        ({"scim:rotateAfterDays": "365"}, "token-rotation", "scim:rotateAfterDays"),
    ],
)
def test_dashboard_limits_are_mandatory(pulumi_engine, config, policy, key):
    found = verdicts(pulumi_engine, {**WELL_CONFIGURED, **config})

    assert names(found) == [(policy, "mandatory")]
    assert f"pulumi config set {key}" in found[0].message


def test_pack_config_sets_the_organisation_limits(pulumi_engine):
    pack = PolicyPack(
        {
            "token-rotation": {"maxRotateAfterDays": 30},
            "account-size-bounds": {"minAccountSizeGb": 200, "maxAccountSizeGb": 500},
        }
    )
    found = resources(pulumi_engine, WELL_CONFIGURED)

    verdict_of = {v.policy: v.message for r in found.values() for v in pack.analyze(r)}

    assert "at most 30 days" in verdict_of["token-rotation"]
    assert "200 to 500 GB" in verdict_of["account-size-bounds"]
    assert set(verdict_of) == {"token-rotation", "account-size-bounds"}
    assert SCIM_SETTINGS in found and SCIM_TOKEN in found


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://dashboard.example.com/scim/v2/t1", True),
        ("https://dashboard.example.com/scim/v2/t1?aadOptscim062020", True),
        ("http://127.0.0.1:8750/scim/v2/t1", True),
        ("http://localhost:8750/scim/v2/t1", True),
        ("http://[::1]:8750/scim/v2/t1", True),
        ("http://dashboard.example.com/scim/v2/t1", False),
        ("http://10.0.0.5/scim/v2/t1", False),
        ("ftp://dashboard.example.com/scim", False),
    ],
)
def test_only_https_or_loopback_tenant_urls_are_allowed(url, allowed):
    assert (tenant_url_problem(url) is None) is allowed
