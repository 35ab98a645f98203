"""The three discovery endpoints of RFC 7644 §4, built once per server.

Entra calls `/Schemas` when a provisioning configuration is saved, and the
Microsoft SCIM Validator needs the Group schema listed there (research §3).
The documents come from scim2-models, so they describe exactly the models
that validate the requests.
"""

from dataclasses import dataclass
from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Patch,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)

MAX_RESULTS = 200
"""The largest page a list answers; larger `count` values are lowered to it."""


@dataclass(frozen=True)
class Discovery:
    """The discovery documents of one tenant, keyed for lookup by id or name."""

    service_provider_config: dict[str, Any]
    resource_types: dict[str, dict[str, Any]]
    schemas: dict[str, dict[str, Any]]


def build_discovery(tenant_url: str) -> Discovery:
    """Describe the tenant at `tenant_url` (used for each document's `meta.location`)."""
    provider = ScimProvider(
        models=[User, EnterpriseUser, Group],
        resource_types=[
            ResourceType.from_resource(User[EnterpriseUser]),
            ResourceType.from_resource(Group),
        ],
        config=_config(),
    )
    config = _dump(provider.config, f"{tenant_url}/ServiceProviderConfig")
    types = {
        str(item.id): _dump(item, f"{tenant_url}/ResourceTypes/{item.id}")
        for item in provider.resource_types
    }
    schemas = {
        str(item.id): _dump(item, f"{tenant_url}/Schemas/{item.id}") for item in provider.schemas
    }
    return Discovery(service_provider_config=config, resource_types=types, schemas=schemas)


def _config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="OAuth Bearer Token",
                description="The SCIM API token generated in the Dashboard",
                primary=True,
            )
        ],
    )


def _dump(resource: Any, location: str) -> dict[str, Any]:
    document = resource.model_dump(mode="json", scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    meta = document.setdefault("meta", {})
    meta["location"] = location
    meta.setdefault("resourceType", type(resource).__name__)
    return document
