"""The yardstick for `bench/commands.py`: our Dashboard-only stack as a bare Pulumi program.

The same component and the same three dynamic resources (types, names, inputs, outputs, the secret
token, the dependency, the stack outputs) with providers that answer from their inputs: no config
schema, no HTTP, no imports beyond `pulumi`. Providers defined here are pickled by value, as in
Pulumi's own dynamic-provider examples. What our program costs beyond this is ours.
"""

from __future__ import annotations

import uuid
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

INPUTS = ("enabled", "account_size_gb", "keep_enabled_on_destroy", "adopt", "owner")
OWNER = f"pulumi:organization/{pulumi.get_project()}/{pulumi.get_stack()}"


class SettingsProvider(ResourceProvider):
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(key) != news.get(key) for key in INPUTS)
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        tenant_url = "http://127.0.0.1/scim/v2/bare"
        return CreateResult(id_=tenant_url, outs={**props, "tenant_url": tenant_url})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props, inputs={key: props[key] for key in INPUTS})


class TokenProvider(ResourceProvider):
    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = ["keepers"] if olds.get("keepers") != news.get("keepers") else []
        return DiffResult(changes=bool(replaces), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        token_id = f"tok_{uuid.uuid4().hex[:12]}"
        outs = {**props, "token": uuid.uuid4().hex, "token_id": token_id, "created_at": "now"}
        return CreateResult(id_=token_id, outs=outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props, inputs={})


class ConnectionTestProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = {**props, "result": "passed", "message": "200 OK", "checked_at": "now"}
        return CreateResult(id_=str(props["token_id"]), outs=outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props, inputs={})


class ScimSettings(Resource, module="dashboard", name="ScimSettings"):
    tenant_url: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(SettingsProvider(), name, {**props, "tenant_url": None}, opts)


class ScimToken(Resource, module="dashboard", name="ScimToken"):
    token: pulumi.Output[str]
    token_id: pulumi.Output[str]

    def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
        props = {
            "adopt": False,
            "owner": OWNER,
            "token": None,
            "token_id": None,
            "created_at": None,
        }
        secret = pulumi.ResourceOptions(additional_secret_outputs=["token"])
        super().__init__(TokenProvider(), name, props, pulumi.ResourceOptions.merge(opts, secret))


class ScimConnectionTest(Resource, module="dashboard", name="ScimConnectionTest"):
    tenant_url: pulumi.Output[str]
    token: pulumi.Output[str]
    result: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
        secret = pulumi.ResourceOptions(additional_secret_outputs=["token"])
        outputs = {"result": None, "message": None, "checked_at": None}
        super().__init__(
            ConnectionTestProvider(),
            name,
            {**props, **outputs},
            pulumi.ResourceOptions.merge(opts, secret),
        )


class DashboardScim(pulumi.ComponentResource):
    def __init__(self, name: str, account_size_gb: int) -> None:
        super().__init__("scim-setup:dashboard:DashboardScim", name, None, None)
        settings = ScimSettings(
            f"{name}-settings",
            {
                "enabled": True,
                "account_size_gb": account_size_gb,
                "keep_enabled_on_destroy": False,
                "adopt": False,
                "owner": OWNER,
            },
            pulumi.ResourceOptions(parent=self),
        )
        token = ScimToken(
            f"{name}-token", pulumi.ResourceOptions(parent=self, depends_on=[settings])
        )
        probe = ScimConnectionTest(
            f"{name}-test-connection",
            {
                "tenant_url": settings.tenant_url,
                "token": pulumi.Output.secret(token.token),
                "token_id": token.token_id,
                "scim_enabled": True,
            },
            pulumi.ResourceOptions(parent=self),
        )
        self.tenant_url = probe.tenant_url
        self.token = pulumi.Output.secret(probe.token)
        self.token_id = token.token_id
        self.test_connection = probe.result
        self.register_outputs(
            {
                "tenant_url": self.tenant_url,
                "token": self.token,
                "token_id": self.token_id,
                "test_connection": self.test_connection,
            }
        )


setup = DashboardScim("dashboard", pulumi.Config("scim").get_int("accountSizeGb") or 50)
pulumi.export("token", setup.token)
pulumi.export("tenant_url", setup.tenant_url)
pulumi.export("token_id", setup.token_id)
for name in ("scim_enabled", "account_size_gb", "token_created_at", "token_last_used_at"):
    pulumi.export(name, None)
pulumi.export("test_connection", setup.test_connection)
