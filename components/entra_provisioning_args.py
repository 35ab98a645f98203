"""The arguments of `EntraProvisioning` and their checks, run before any resource is declared.

`components.entra_provisioning` declares the resources; `components.provisioning_credentials`
turns these arguments into the keys of the app's synchronization secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi

from components.entra_application_args import (
    ApplicationChoice,
    ExistingApplication,
    application_problems,
)
from components.entra_import import EntraImports
from components.entra_values import is_email_address, is_guid, is_web_url, normalised_guid


@dataclass(kw_only=True)
class EntraProvisioningArgs:
    """Inputs of `EntraProvisioning`.

    `secret_token` is always sent and stored as a secret, even when given as a plain string.
    With `sync_all=False` only the assigned groups (and users assigned in the portal) are
    provisioned. A notification e-mail and/or a deletion threshold add the
    `SyncNotificationSettings` key. `compliant_patch` adds `aadOptscim062020` to the tenant URL;
    Microsoft documents that the flag does not work with provision-on-demand.
    `test_connection` runs the portal's Test Connection (Graph validateCredentials) once the secret
    is saved; `fail_when_quarantined` makes every `pulumi up` fail while the job is quarantined.
    `imports` takes over a job and group assignments made by hand (`components.entra_import`);
    `pulumi destroy` leaves them (and, with an imported job, the secret) in Entra unless
    `delete_imported_on_destroy`.
    """

    application: ApplicationChoice
    tenant_url: pulumi.Input[str] | None = None
    secret_token: pulumi.Input[str] | None = None
    assigned_group_ids: Sequence[pulumi.Input[str]] = ()
    start_provisioning: bool = True
    sync_all: bool = False
    notification_email: str | None = None
    delete_threshold: int | None = None
    compliant_patch: bool = False
    test_connection: bool = True
    fail_when_quarantined: bool = False
    attribute_mappings: Sequence[Mapping[str, Any]] = ()
    scoping_filter: Sequence[str] | None = None
    imports: EntraImports | None = None
    delete_imported_on_destroy: bool = False


class EntraProvisioningArgsError(ValueError):
    """Every problem with the arguments, raised before any resource is registered."""

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"EntraProvisioning {name!r} has invalid arguments:\n{listing}")


def argument_problems(args: EntraProvisioningArgs, credentials_given: bool = True) -> list[str]:
    """Every problem with `args`, each naming the argument and the fix.

    `credentials_given=False` checks everything but the tenant URL and token (`ScimSetup` supplies
    them from the Dashboard step).
    """
    return [
        *application_problems(args.application),
        *(
            provisioning_credentials_problems(args.tenant_url, args.secret_token)
            if credentials_given
            else []
        ),
        *_group_problems(args.assigned_group_ids),
        *_flag_problems(args),
        *_notification_problems(args.notification_email, args.delete_threshold),
    ]


def normalised_args(args: EntraProvisioningArgs) -> EntraProvisioningArgs:
    """`args` with every GUID given as text in lower case (`normalised_guid` says why)."""
    application = args.application
    if isinstance(application, ExistingApplication):
        application = replace(
            application,
            client_id=_normalised(application.client_id),
            object_id=_normalised(application.object_id),
        )
    return replace(
        args,
        application=application,
        assigned_group_ids=[_normalised(g) for g in args.assigned_group_ids],
        imports=None if args.imports is None else args.imports.normalised(),
    )


def _normalised(value: Any) -> Any:
    return normalised_guid(value) if isinstance(value, str) else value


def provisioning_credentials_problems(tenant_url: object, secret_token: object) -> list[str]:
    """What is wrong with the tenant URL and token Entra would call the Dashboard with."""
    problems = [
        f"{name}: required; pass the Dashboard's {what} (ScimSetup wires it for you)"
        for name, what, value in (
            ("tenant_url", "tenant URL", tenant_url),
            ("secret_token", "SCIM API token", secret_token),
        )
        if value is None
    ]
    if isinstance(tenant_url, str) and not is_web_url(tenant_url):
        problems.append(
            "tenant_url: must be the Dashboard's SCIM URL, e.g. https://host/scim/v2 "
            f"(got {tenant_url!r})"
        )
    if isinstance(secret_token, str) and not secret_token.strip():
        problems.append(
            "secret_token: must not be blank; without it Entra sends its own test-only JWT "
            "instead of the Dashboard token"
        )
    return problems


def _group_problems(group_ids: object) -> list[str]:
    if isinstance(group_ids, str) or not isinstance(group_ids, Sequence):
        return ["assigned_group_ids: must be a list of group object ids, e.g. ['<guid>']"]
    problems = []
    seen: set[str] = set()
    for position, group_id in enumerate(group_ids):
        if not isinstance(group_id, str):
            continue
        where = f"assigned_group_ids[{position}]"
        if not group_id.strip():
            problems.append(f"{where}: is blank; remove it or give the group's object id")
        elif not is_guid(group_id):
            problems.append(f"{where}: {group_id!r} is not a group object id (a GUID)")
        elif group_id.lower() in seen:
            problems.append(f"{where}: {group_id} is listed twice; list each group once")
        seen.add(group_id.lower())
    return problems


def _flag_problems(args: EntraProvisioningArgs) -> list[str]:
    flags = (
        "start_provisioning",
        "sync_all",
        "compliant_patch",
        "test_connection",
        "fail_when_quarantined",
        "delete_imported_on_destroy",
    )
    return [
        f"{flag}: must be True or False (got {getattr(args, flag)!r})"
        for flag in flags
        if not isinstance(getattr(args, flag), bool)
    ]


def _notification_problems(email: object, delete_threshold: object) -> list[str]:
    problems = []
    if email is not None and not is_email_address(email):
        problems.append(
            f"notification_email: {email!r} is not an e-mail address; give one address like "
            "ops@example.com, or None for no failure e-mails"
        )
    if delete_threshold is not None and (
        isinstance(delete_threshold, bool)
        or not isinstance(delete_threshold, int)
        or delete_threshold <= 0
    ):
        problems.append(
            f"delete_threshold: {delete_threshold!r} must be a whole number above 0 "
            "(deletions per cycle that pause provisioning), or None for no threshold"
        )
    return problems
