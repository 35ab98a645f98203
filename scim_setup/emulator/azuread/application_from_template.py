"""`azuread:index/applicationFromTemplate:ApplicationFromTemplate`, as terraform-provider-azuread's
`internal/services/applications/application_from_template_resource.go` (a typed resource: Create
and Update are followed by Read) does it.

`templateId` (a UUID) forces replacement; a new `displayName` is PATCHed onto the application.
Create waits for the application only, not for the service principal (Graph may answer 404 for
it a while longer). Timeouts: create and update 10 minutes, read and delete 5. The id, also the
import id, is `/applicationTemplates/{templateId}/instantiate/{applicationId}/{servicePrincipalId}`.
"""

from __future__ import annotations

from providers.graph.client import GraphError
from scim_setup.emulator.azuread.errors import ProviderError
from scim_setup.emulator.azuread.graph import was_not_found
from scim_setup.emulator.azuread.ids import FromTemplateId
from scim_setup.emulator.azuread.resource import (
    MINUTE,
    Input,
    Resource,
    must_be_uuid,
    must_not_be_empty,
)
from scim_setup.emulator.azuread.waits import wait_for_update
from scim_setup.emulator.azuread.wire import Properties


class ApplicationFromTemplate(Resource):
    token = "azuread:index/applicationFromTemplate:ApplicationFromTemplate"
    inputs = (
        Input("displayName", required=True, validate=must_not_be_empty),
        Input("templateId", required=True, force_new=True, validate=must_be_uuid),
    )
    create_timeout_s = 10 * MINUTE
    update_timeout_s = 10 * MINUTE

    def create(self, inputs: Properties, deadline: float) -> tuple[str, Properties]:
        """Create: instantiate the template, wait until the application reads back, read."""
        template_id = str(inputs["templateId"])
        template = f"Application Template (Application Template ID: {template_id!r})"
        try:
            created = self.graph.call(
                "POST",
                f"/applicationTemplates/{template_id}/instantiate",
                {"displayName": inputs["displayName"]},
            )
        except GraphError as error:
            raise ProviderError(f"creating {template}: {error}") from None
        for part in ("application", "servicePrincipal"):
            if not isinstance(created.get(part), dict):
                raise ProviderError(f"creating {template}: {part} was nil")
        made = FromTemplateId(
            template_id, str(created["application"]["id"]), str(created["servicePrincipal"]["id"])
        )

        def application_readable() -> bool:
            try:
                self.graph.call("GET", f"/applications/{made.application_id}")
            except GraphError as error:
                if was_not_found(error):
                    return False
                raise ProviderError(f"retrieving resource: {error}") from None
            return True

        try:
            wait_for_update(self.clock, deadline, application_readable)
        except ProviderError:
            raise ProviderError(
                f"creating {template}: timed out waiting for replication of new application"
            ) from None
        return str(made), self._read_or_fail(made)

    def read(self, resource_id: str, state: Properties) -> tuple[str, Properties] | None:
        """Read: the application must exist (404 means gone); the other ids come from the id."""
        made = FromTemplateId.parse(resource_id)
        try:
            found = self.graph.call("GET", f"/applications/{made.application_id}")
        except GraphError as error:
            if was_not_found(error):
                return None
            raise ProviderError(f"retrieving {made}: {error}") from None
        outputs = {
            "id": str(made),
            "displayName": found.get("displayName") or "",
            "templateId": made.template_id,
            "applicationId": f"/applications/{made.application_id}",
            "applicationObjectId": made.application_id,
            "servicePrincipalId": f"/servicePrincipals/{made.service_principal_id}",
            "servicePrincipalObjectId": made.service_principal_id,
        }
        return str(made), outputs

    def update(
        self, resource_id: str, state: Properties, news: Properties, deadline: float
    ) -> Properties:
        """Update: a new display name is PATCHed onto the application; then Read."""
        made = FromTemplateId.parse(resource_id)
        if news.get("displayName") != state.get("displayName"):
            body = {"displayName": news.get("displayName")}
            try:
                self.graph.call("PATCH", f"/applications/{made.application_id}", body)
            except GraphError as error:
                raise ProviderError(f"updating {made}: {error}") from None
        return self._read_or_fail(made)

    def delete(self, resource_id: str, state: Properties, deadline: float) -> None:
        """Delete: DELETE the application (its service principal goes with it), no wait."""
        made = FromTemplateId.parse(resource_id)
        try:
            self.graph.call("DELETE", f"/applications/{made.application_id}")
        except GraphError as error:
            raise ProviderError(f"deleting {made}: {error}") from None

    def _read_or_fail(self, made: FromTemplateId) -> Properties:
        found = self.read(str(made), {})
        if found is None:
            raise ProviderError(f"retrieving {made}: not found right after the write")
        return found[1]
