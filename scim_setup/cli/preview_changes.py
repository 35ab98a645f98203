"""What a `pulumi preview --json` of a SCIM setup means, one line per change in the domain's words.

The preview's steps carry each resource's old and new inputs and outputs, with every secret already
replaced by "[secret]" (the CLI's own masking, unless `--show-secrets`): a secret is only ever
reported as changed. Resource types this module does not know get one generic line each.

Policy violations are not in that document: they come from the engine's event log of the same
preview (`pulumi preview --event-log FILE`), one `policyEvent` per violation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scim_setup.cli.review_mappings import ATTRIBUTE_MAPPINGS, mapping_changes

SECRET = "[secret]"
SCIM_SETTINGS = "pulumi-python:dynamic/dashboard:ScimSettings"
SCIM_TOKEN = "pulumi-python:dynamic/dashboard:ScimToken"
SCIM_TEST_CONNECTION = "pulumi-python:dynamic/dashboard:ScimConnectionTest"
APPLICATION_FROM_TEMPLATE = "azuread:index/applicationFromTemplate:ApplicationFromTemplate"
APPLICATION = "azuread:index/application:Application"
SERVICE_PRINCIPAL = "azuread:index/servicePrincipal:ServicePrincipal"
ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"
SYNC_SECRET = "azuread:index/synchronizationSecret:SynchronizationSecret"
SYNC_JOB = "azuread:index/synchronizationJob:SynchronizationJob"
JOB_CONTROL = "pulumi-python:dynamic/entra:ProvisioningJobControl"
ENTRA_TEST_CONNECTION = "pulumi-python:dynamic/entra:ConnectionTest"
JOB_STATUS = "pulumi-python:dynamic/entra:ProvisioningJobStatus"
SERVICE_PRINCIPAL_READY = "pulumi-python:dynamic/entra:ServicePrincipalReady"

_IGNORED_OPS = {
    "same",
    "read",
    "refresh",
    "delete-replaced",
    "discard-replaced",
    "remove-pending-replace",
}
_VERBS = {"create": "created", "update": "updated", "replace": "replaced", "delete": "deleted"}


@dataclass(frozen=True)
class Change:
    text: str
    warning: bool = False
    """Risky for the customer: provisioning stops, accounts go away, or scope widens."""


@dataclass(frozen=True)
class Step:
    """One planned step, with the previous and the planned values of its resource."""

    op: str
    type: str
    name: str
    old: Mapping[str, Any]
    new: Mapping[str, Any]
    replace_reasons: tuple[str, ...]
    retained: bool = False
    """Deleted from the stack only: the object stays (the `retain_on_delete` option in state)."""
    retained_after: bool = False
    """The `retain_on_delete` option the planned state will have."""

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Step:
        op = "replace" if raw["op"] == "create-replacement" else raw["op"]
        old, new = raw.get("oldState") or {}, raw.get("newState") or {}
        return cls(
            op=op,
            type=(new or old).get("type") or _type_of(raw["urn"]),
            name=raw["urn"].rsplit("::", 1)[-1],
            old={**(old.get("outputs") or {}), **(old.get("inputs") or {})},
            new={**(new.get("outputs") or {}), **(new.get("inputs") or {})},
            replace_reasons=tuple(raw.get("replaceReasons") or ()),
            retained=bool(old.get("retainOnDelete")),
            retained_after=bool(new.get("retainOnDelete")),
        )

    def changed(self, key: str) -> bool:
        return self.old.get(key) != self.new.get(key)

    def plan(self) -> list[str]:
        """The repairs a job control plans (its `plan` input); [] for other resources."""
        plan = self.new.get("plan")
        return [str(code) for code in plan] if isinstance(plan, list) else []


_COLOUR_TAG = re.compile(r"<\{%[^%]*%\}>")
"""The CLI's colour markup (`<{%reset%}>`), left in messages logged with `--color always`."""


@dataclass(frozen=True)
class PolicyViolation:
    """One finding of a policy pack, from a `policyEvent` of the engine's event log."""

    policy: str
    pack: str
    level: str
    """The enforcement level: "mandatory" fails the preview, "advisory" only warns."""
    urn: str
    """The resource the finding is about; empty for one about the stack as a whole."""
    message: str
    """The policy's description, then what to change (pulumi-policy sends both), on one line."""

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> PolicyViolation:
        text = _COLOUR_TAG.sub("", event.get("message") or "")
        return cls(
            policy=event.get("policyName") or "unnamed policy",
            pack=event.get("policyPackName") or "",
            level=event.get("enforcementLevel") or "advisory",
            urn=event.get("resourceUrn") or "",
            message=" ".join(line.strip() for line in text.splitlines() if line.strip()),
        )

    @property
    def mandatory(self) -> bool:
        return self.level == "mandatory"

    @property
    def resource_kind(self) -> str:
        """The last part of the resource's type, e.g. `ScimSettings`; empty for the stack."""
        return _type_of(self.urn).rsplit(":", 1)[-1] if self.urn else ""

    @property
    def resource_name(self) -> str:
        return self.urn.rsplit("::", 1)[-1] if self.urn else ""


def policy_violations(events: Iterable[Mapping[str, Any]]) -> list[PolicyViolation]:
    """Each distinct violation in an event log, mandatory ones first, else in the engine's order."""
    found: list[PolicyViolation] = []
    for event in events:
        payload = event.get("policyEvent")
        if payload:
            violation = PolicyViolation.from_event(payload)
            if violation not in found:
                found.append(violation)
    return sorted(found, key=lambda v: not v.mandatory)


@dataclass(frozen=True)
class Preview:
    """A parsed `pulumi preview --json` document, with the policy violations of its event log."""

    stack: str
    steps: list[Step]
    config: Mapping[str, Any]
    errors: list[str]
    violations: list[PolicyViolation] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], events: Iterable[Mapping[str, Any]] = ()) -> Preview:
        steps = [Step.from_json(step) for step in raw.get("steps") or []]
        urns = [step["urn"] for step in raw.get("steps") or []]
        errors = [
            d["message"].strip().removeprefix("error: ")
            for d in raw.get("diagnostics") or []
            if d.get("severity") == "error"
        ]
        stack = urns[0].split(":")[2] if urns else "unknown"
        return cls(
            stack=stack,
            steps=steps,
            config=raw.get("config") or {},
            errors=errors,
            violations=policy_violations(events),
        )

    def has(self, resource_type: str) -> bool:
        return any(step.type == resource_type and step.op != "delete" for step in self.steps)

    def counts(self) -> dict[str, int]:
        """Planned operations on real resources (not the stack, providers or components)."""
        totals: dict[str, int] = {}
        for step in self.steps:
            if not is_structure(step.type):
                totals[step.op] = totals.get(step.op, 0) + 1
        return totals


def _type_of(urn: str) -> str:
    return urn.split("::")[-2].rsplit("$", 1)[-1]


def changes(preview: Preview) -> list[Change]:
    """Every meaningful change the preview plans, in the order the engine would make them."""
    found: list[Change] = []
    for step in preview.steps:
        if is_structure(step.type):
            continue
        if step.op not in ("create", "delete") and step.retained and not step.retained_after:
            found.append(_no_longer_retained(step))
        if step.type == JOB_CONTROL and step.op == "same":
            found += _restart_pending(step)  # owed from an earlier `up`, still waiting
        elif step.op == "delete" and step.retained:
            found.append(_retained(step))
        elif step.op not in _IGNORED_OPS:
            describe = _DESCRIBERS.get(step.type, _generic)
            found += describe(step, preview)
    return found


def _no_longer_retained(step: Step) -> Change:
    """An imported object that `pulumi destroy` kept so far and will now delete."""
    kind = step.type.rsplit(":", 1)[-1]
    return Change(
        f"`pulumi destroy` will now delete {kind} '{step.name}', which it kept as imported so far "
        "(entra:import removed, or entra:deleteImportedOnDestroy set)",
        True,
    )


def _retained(step: Step) -> Change:
    """A delete that leaves the object in Entra: it was imported (entra:import) and the stack
    keeps what it did not create unless entra:deleteImportedOnDestroy is on."""
    group = step.old.get("principalDisplayName") or step.old.get("principalObjectId") or step.name
    kept = {
        SYNC_JOB: "the provisioning job stays in Entra as it is (imported)",
        ASSIGNMENT: f"group {group} stays assigned in Entra (imported)",
        SYNC_SECRET: "Entra's provisioning credentials stay saved (taken over with the job)",
    }.get(step.type, f"{step.type.rsplit(':', 1)[-1]} '{step.name}' stays (retained on delete)")
    return Change(f"{kept}; only this stack stops managing it")


def is_structure(resource_type: str) -> bool:
    """The stack, providers and our components: their resources' lines say what happens."""
    return resource_type == "pulumi:pulumi:Stack" or resource_type.startswith(
        ("pulumi:providers:", "scim-setup:")
    )


def _shown(value: Any) -> str:
    return "changed (secret)" if value == SECRET else str(value)


def _settings(step: Step, _preview: Preview) -> list[Change]:
    taking_over = step.op in ("create", "update") and step.new.get("adopt") is True
    return ([_TAKE_OVER] if taking_over and step.changed("adopt") else []) + _settings_changes(step)


_TAKE_OVER = Change(
    "scim:takeOver is set: this stack takes the Dashboard's SCIM settings and token over from any "
    "other stack that manages them, which then fails until it is destroyed; remove the key after "
    "this run",
    True,
)


def _settings_changes(step: Step) -> list[Change]:
    old, new = step.old, step.new
    if step.op == "create":
        if not new.get("enabled", True):
            return [Change("the stack takes over the Dashboard's SCIM settings, with SCIM off")]
        return [
            Change(
                "SCIM user management will be switched on in the Dashboard; new backup accounts "
                f"will get {new.get('account_size_gb')} GB"
            )
        ]
    if step.op == "delete":
        if old.get("keep_enabled_on_destroy"):
            return [Change("the stack stops managing the SCIM settings; SCIM stays switched on")]
        return [Change("SCIM user management will be switched off: provisioning stops", True)]
    found: list[Change] = []
    if step.changed("enabled"):
        if new.get("enabled"):
            found.append(Change("SCIM user management will be switched on"))
        else:
            found.append(
                Change(
                    "SCIM user management will be switched off: the Dashboard stops accepting "
                    "Entra's provisioning requests",
                    True,
                )
            )
    if step.changed("account_size_gb"):
        found.append(
            Change(
                f"new backup accounts will get {new.get('account_size_gb')} GB instead of "
                f"{old.get('account_size_gb')}"
            )
        )
    if step.changed("keep_enabled_on_destroy"):
        after = (
            "leave SCIM switched on" if new.get("keep_enabled_on_destroy") else "switch SCIM off"
        )
        found.append(Change(f"destroying the stack will {after}"))
    return found


def _token(step: Step, preview: Preview) -> list[Change]:
    entra = preview.has(SYNC_SECRET)
    if step.op == "create":
        given = " and given to Entra in the same run" if entra else ""
        return [Change(f"a SCIM API token will be generated{given}")]
    if step.op == "delete":
        return [Change("the SCIM token will be revoked: Entra's provisioning stops", True)]
    if step.op == "replace":
        reason = _token_replace_reason(step)
        if entra:
            return [
                Change(f"the token will be regenerated{reason} and Entra updated in the same run")
            ]
        return [
            Change(
                f"the token will be regenerated{reason}; the old one stops working and Entra "
                "needs the new one pasted (this stack has no Entra step)",
                True,
            )
        ]
    if step.changed("rotate_after_days"):
        days, before = step.new.get("rotate_after_days"), step.old.get("rotate_after_days")
        if days is None:
            return [Change("the token will no longer be rotated automatically", True)]
        was = f"instead of every {before} days" if before is not None else "(it was never rotated)"
        return [Change(f"the token will be rotated every {days} days {was}")]
    return []


def _token_replace_reason(step: Step) -> str:
    if "keepers" in step.replace_reasons:
        old, new = step.old.get("keepers") or {}, step.new.get("keepers") or {}
        if SECRET in (old, new):
            return " (keepers changed)"
        parts = [
            f"{key} {_shown(old.get(key, '∅'))} → {_shown(new.get(key, '∅'))}"
            for key in sorted({*old, *new})
            if old.get(key) != new.get(key)
        ]
        return f" (keepers changed: {', '.join(parts)})" if parts else " (keepers changed)"
    if "rotate_after_days" in step.replace_reasons:
        return f" (older than scim:rotateAfterDays = {step.new.get('rotate_after_days')} days)"
    return ""


def _application(step: Step, _preview: Preview) -> list[Change]:
    name = step.new.get("displayName") or step.old.get("displayName") or step.name
    if step.op == "create":
        return [Change(f"a new Entra application '{name}' will be created")]
    if step.op == "delete":
        return [Change(f"the Entra application '{name}' will be deleted", True)]
    if step.changed("displayName"):
        return [
            Change(
                f"the Entra application will be renamed “{step.old.get('displayName')}” → '{name}'"
            )
        ]
    return [Change(f"the Entra application '{name}' will be {_VERBS.get(step.op, step.op)}")]


def _enterprise_application(step: Step, preview: Preview) -> list[Change]:
    """pulumi-azuread's ApplicationFromTemplate: the app registration and its service principal
    (the enterprise application) made together from Entra's non-gallery template."""
    name = step.new.get("displayName") or step.old.get("displayName") or step.name
    if step.op == "create":
        return [Change(f"a new Entra enterprise application '{name}' will be created")]
    if step.op == "replace":
        return [
            Change(
                f"the Entra enterprise application '{name}' will be replaced by a new one: its "
                "provisioning job and group assignments start over",
                True,
            )
        ]
    return _application(step, preview)


def _service_principal(step: Step, _preview: Preview) -> list[Change]:
    if step.op == "delete":
        return [Change("the enterprise application (service principal) will be deleted", True)]
    return []


def _assignment(step: Step, _preview: Preview) -> list[Change]:
    state = step.new if step.op != "delete" else step.old
    group = state.get("principalDisplayName") or state.get("principalObjectId") or step.name
    if step.op == "create":
        return [Change(f"group {group} enters provisioning scope")]
    if step.op == "delete":
        return [
            Change(
                f"group {group} leaves provisioning scope: its members lose their accounts", True
            )
        ]
    return [Change(f"the assignment of group {group} will be {_VERBS.get(step.op, step.op)}")]


def _sync_secret(step: Step, preview: Preview) -> list[Change]:
    if step.op == "delete":
        return [
            Change("Entra's provisioning credentials will be removed: provisioning stops", True)
        ]
    found = [
        Change(
            "Entra will be given the tenant URL and token"
            if step.op == "create"
            else "Entra's provisioning credentials (tenant URL, token, settings) changed (secret)"
        )
    ]
    if str(preview.config.get("entra:syncAll", "")).lower() == "true":
        found.append(
            Change(
                "every user and group of the tenant will be provisioned, not only the assigned "
                "groups (entra:syncAll is on)",
                True,
            )
        )
    return found


def _sync_job(step: Step, _preview: Preview) -> list[Change]:
    if step.op == "delete":
        return [Change("the provisioning job will be deleted: provisioning stops", True)]
    if step.op == "create":
        started = step.new.get("enabled", True)
        return [
            Change(
                "provisioning will start"
                if started
                else "the provisioning job will be created, stopped"
            )
        ]
    if step.changed("enabled"):
        if step.new.get("enabled"):
            return [Change("provisioning will start")]
        return [Change("provisioning will be paused (job stopped)", True)]
    return [Change(f"the provisioning job will be {_VERBS.get(step.op, step.op)}")]


_JOB_REPAIRS = {
    "rewrite-credentials": Change(
        "Entra's saved tenant URL and token fail its Test Connection (changed in the portal?); "
        "they will be saved again"
    ),
    "lift-quarantine": Change(
        "provisioning leaves quarantine: the credentials work again (start, no full restart)"
    ),
    "start": Change("the provisioning job was stopped outside Pulumi; it will be started"),
    "pause": Change("provisioning will be paused (entra:startProvisioning turned off)", True),
    "restart-scope": Change(
        "provisioning restarts because entra:syncAll changed: every user and group is evaluated "
        "again, which takes longer than a normal cycle",
        True,
    ),
}
"""The codes of `ProvisioningJobControl.plan` (providers/graph/job_control.py), in words."""


def _job_control(step: Step, _preview: Preview) -> list[Change]:
    """What the next `up` repairs on the Entra side, and a quarantine only a person may lift."""
    if step.op == "create":
        return [
            Change(
                "every `pulumi up` will keep the provisioning job running as declared (start it, "
                "save the credentials again, lift a quarantine for bad credentials)"
            )
        ]
    if step.op != "update":
        return []
    found = [_JOB_REPAIRS.get(code, Change(f"job control: {code}")) for code in step.plan()]
    attention = step.new.get("attention")
    if attention and attention != SECRET:
        found.append(Change(f"needs a person: {attention}", True))
    return found + _restart_pending(step)


def _restart_pending(step: Step) -> list[Change]:
    """A restart for an entra:syncAll change the job cannot take yet (`restart_pending`)."""
    if step.new.get("restart_pending") is not True:
        return []
    return [
        Change(
            "the restart for the entra:syncAll change is pending: the new scope takes effect "
            "once the job restarts, which the next `pulumi up` does when entra:startProvisioning "
            "is true and no quarantine only a person may lift holds the job",
            True,
        )
    ]


def _scim_test_connection(step: Step, _preview: Preview) -> list[Change]:
    if step.op == "create":
        return [
            Change("the Dashboard's SCIM endpoint will be tested with the token, as Entra does")
        ]
    if step.op in ("update", "replace"):
        return [Change("the Dashboard's SCIM endpoint will be tested again with the new values")]
    return []


def _entra_test_connection(step: Step, _preview: Preview) -> list[Change]:
    if step.op == "create":
        return [Change("Entra will test the saved tenant URL and token (Test Connection)")]
    if step.op in ("update", "replace"):
        return [Change("Entra will test the saved tenant URL and token again")]
    return []


def _job_status(step: Step, _preview: Preview) -> list[Change]:
    if step.op == "create":
        return [Change("the provisioning job's status will be kept in the stack's outputs")]
    return []


def _generic(step: Step, _preview: Preview) -> list[Change]:
    kind = step.type.rsplit(":", 1)[-1]
    return [
        Change(f"{kind} '{step.name}' will be {_VERBS.get(step.op, step.op)}", step.op == "delete")
    ]


RESOURCE_NAMES = {
    SCIM_SETTINGS: "the Dashboard's SCIM settings",
    SCIM_TOKEN: "the SCIM API token",
    SCIM_TEST_CONNECTION: "the Dashboard's Test Connection",
    APPLICATION_FROM_TEMPLATE: "the Entra enterprise application",
    APPLICATION: "the Entra application registration",
    SERVICE_PRINCIPAL: "the enterprise application's service principal",
    ASSIGNMENT: "a group's assignment to the app (provisioning scope)",
    SYNC_SECRET: "Entra's provisioning credentials (tenant URL, token, settings)",
    SYNC_JOB: "the provisioning job",
    ATTRIBUTE_MAPPINGS: "the provisioning job's attribute mappings",
    JOB_CONTROL: "the provisioning job's upkeep (start, credentials, quarantine)",
    ENTRA_TEST_CONNECTION: "Entra's Test Connection",
    JOB_STATUS: "the provisioning job's status in the stack's outputs",
    SERVICE_PRINCIPAL_READY: "a wait until Graph serves the new app's service principal",
}
"""Every resource type the program creates, in plain words (a test holds recorded previews to
it); a type not here gets `_generic`'s line with its type name."""


def plain_name(resource_type: str) -> str | None:
    """What a resource of this type is, in the domain's words; None for a type review does not
    know (the stack, providers and components are structure, not resources)."""
    return RESOURCE_NAMES.get(resource_type)


_DESCRIBERS: dict[str, Callable[[Step, Preview], list[Change]]] = {
    SCIM_SETTINGS: _settings,
    SCIM_TOKEN: _token,
    SCIM_TEST_CONNECTION: _scim_test_connection,
    APPLICATION_FROM_TEMPLATE: _enterprise_application,
    APPLICATION: _application,
    SERVICE_PRINCIPAL: _service_principal,
    ASSIGNMENT: _assignment,
    SYNC_SECRET: _sync_secret,
    SYNC_JOB: _sync_job,
    ATTRIBUTE_MAPPINGS: lambda step, _preview: [
        Change(text, risky) for text, risky in mapping_changes(step.op, step.old, step.new)
    ],
    JOB_CONTROL: _job_control,
    ENTRA_TEST_CONNECTION: _entra_test_connection,
    JOB_STATUS: _job_status,
    SERVICE_PRINCIPAL_READY: lambda _step, _preview: [],  # a wait for Graph, no change
}
