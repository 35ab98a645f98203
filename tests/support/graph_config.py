"""Stack config that points the Graph client at the local fake Graph."""

from scim_setup.emulator.graph_process import FakeGraphProcess


def azuread_config(graph: FakeGraphProcess, **overrides: str) -> dict[str, str]:
    """The stack config an azuread user already has: tenant, client id and secret."""
    return {
        "azuread:tenantId": graph.tenant_id,
        "azuread:clientId": graph.client_id,
        "azuread:clientSecret": graph.client_secret,
        **overrides,
    }
