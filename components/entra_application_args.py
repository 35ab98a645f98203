"""Which Entra enterprise application receives the provisioning configuration, and its checks.

Either a new non-gallery app that this stack owns (`NewApplication`), or an app that already
exists, e.g. the one set up for SSO (`ExistingApplication`). `components.entra_application`
creates or looks the app up; this module only says what a valid choice is.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.entra_values import is_guid


@dataclass(frozen=True)
class NewApplication:
    """Create a non-gallery enterprise app owned by this stack (destroyed with it)."""

    display_name: pulumi.Input[str]


@dataclass(frozen=True)
class ExistingApplication:
    """Use an enterprise app that already exists; set exactly one lookup key.

    `object_id` is the enterprise application's (service principal's) object id, as shown on
    its Overview page, not the app registration's. A display name must match exactly one app.
    """

    client_id: pulumi.Input[str] | None = None
    object_id: pulumi.Input[str] | None = None
    display_name: pulumi.Input[str] | None = None


ApplicationChoice = NewApplication | ExistingApplication


def application_problems(application: object) -> list[str]:
    """Everything wrong with the `application` argument, each naming the fix."""
    if isinstance(application, NewApplication):
        return _new_application_problems(application)
    if isinstance(application, ExistingApplication):
        return _existing_application_problems(application)
    return [
        "application: choose exactly one app: NewApplication(display_name=...) to create one, "
        "or ExistingApplication(client_id=... | object_id=... | display_name=...) to use an "
        f"existing one (got {application!r})"
    ]


def _new_application_problems(app: NewApplication) -> list[str]:
    if isinstance(app.display_name, str) and not app.display_name.strip():
        return ["application.display_name: must not be blank; it is the enterprise app's name"]
    return []


def _existing_application_problems(app: ExistingApplication) -> list[str]:
    keys = {k: v for k, v in vars(app).items() if v is not None}
    if len(keys) != 1:
        given = ", ".join(keys) or "none"
        return [
            "application: ExistingApplication needs exactly one of client_id, object_id or "
            f"display_name to look the app up by (given: {given})"
        ]
    key, value = next(iter(keys.items()))
    if not isinstance(value, str):
        return []
    if key == "display_name" and not value.strip():
        return ["application.display_name: must not be blank"]
    if key != "display_name" and not is_guid(value):
        return [f"application.{key}: must be a GUID like 00000000-0000-0000-0000-000000000000"]
    return []
