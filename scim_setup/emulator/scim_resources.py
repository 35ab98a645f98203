"""SCIM users and groups validated and patched with scim2-models.

Every write goes through here, and through scim2-models' public API only: the
payload is first rewritten by `entra_shapes` (or `okta_shapes`),
then validated in the RFC 7644 request context and, for PATCH, applied by
`PatchOp.patch` to the stored resource validated again. What comes out is a
plain JSON document of attributes (no `id`, no `meta`, no group `members`:
those live in the store's columns and tables) plus the values the store indexes.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from scim2_models import (
    Context,
    EnterpriseUser,
    Error,
    Group,
    InvalidSyntaxException,
    PatchOp,
    SCIMException,
    ScimPolicy,
    User,
)

from scim_setup.emulator import entra_shapes, okta_shapes
from scim_setup.emulator.store import Member

UserModel = User[EnterpriseUser]

ENTRA_POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)
"""What Entra needs tolerated (research §1 quirk table and [SP]).

Unknown attributes are dropped rather than refused: an Entra admin can map
extra attributes, and a real service provider ignores what it does not store.
"""

_T = TypeVar("_T")
USER_PATCH = PatchOp[UserModel]
GROUP_PATCH = PatchOp[Group]


@dataclass(frozen=True)
class UserAttributes:
    """A validated user: its document and the values the store indexes."""

    document: dict[str, Any]
    user_name: str
    external_id: str | None
    active: bool


@dataclass(frozen=True)
class GroupAttributes:
    """A validated group: its document (without members) and its members."""

    document: dict[str, Any]
    display_name: str
    external_id: str | None
    members: tuple[Member, ...]

    @property
    def member_ids(self) -> set[str]:
        """The ids of the members."""
        return {member.id for member in self.members}


def new_user(payload: Any) -> UserAttributes:
    """Validate a `POST /Users` body: readOnly attributes are ignored, required ones checked."""
    body = entra_shapes.user_payload(_object(payload))
    user = _scim(
        lambda: UserModel.model_validate(
            body, scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=ENTRA_POLICY
        )
    )
    return _user_attributes(user)


def patched_user(document: dict[str, Any], payload: Any) -> UserAttributes:
    """Apply a `PATCH /Users/{id}` body to a stored user document.

    All operations apply or none does: a failing one raises before the store is written.
    """
    body = entra_shapes.user_patch(_object(payload))
    patch = _scim(
        lambda: USER_PATCH.model_validate(
            body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=ENTRA_POLICY
        )
    )
    user = UserModel.model_validate(document)
    _scim(lambda: patch.patch(user, scim_policy=ENTRA_POLICY))
    return _user_attributes(user)


def replaced_user(document: dict[str, Any], payload: Any) -> UserAttributes:
    """Validate a `PUT /Users/{id}` body as the whole new user (RFC 7644 §3.5.1).

    readOnly attributes are ignored and immutable ones must keep their value;
    scim2-models' `replace` enforces both against the stored user.
    """
    body = entra_shapes.user_payload(_object(payload))
    user = _scim(
        lambda: UserModel.model_validate(
            body, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=ENTRA_POLICY
        )
    )
    user.replace(UserModel.model_validate(document))
    return _user_attributes(user)


def new_group(payload: Any) -> GroupAttributes:
    """Validate a `POST /Groups` body, accepting Microsoft's ADSCIM schema URI."""
    body = entra_shapes.group_payload(_object(payload))
    group = _scim(
        lambda: Group.model_validate(
            body, scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=ENTRA_POLICY
        )
    )
    return _group_attributes(group)


def replaced_group(
    document: dict[str, Any], members: Iterable[Member], payload: Any
) -> GroupAttributes:
    """Validate a `PUT /Groups/{id}` body: the new attributes and the whole member list."""
    body = entra_shapes.group_payload(_object(payload))
    group = _scim(
        lambda: Group.model_validate(
            body, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=ENTRA_POLICY
        )
    )
    group.replace(_stored_group(document, members))
    return _group_attributes(group)


def patched_group(
    group_id: str, document: dict[str, Any], members: Iterable[Member], payload: Any
) -> GroupAttributes:
    """Apply a `PATCH /Groups/{id}` body, member additions and removals included."""
    group = _stored_group(document, members)
    body = okta_shapes.group_patch(_object(payload), group_id)
    patch = _scim(
        lambda: GROUP_PATCH.model_validate(
            body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=ENTRA_POLICY
        )
    )
    _scim(lambda: patch.patch(group, scim_policy=ENTRA_POLICY))
    return _group_attributes(group)


def _stored_group(document: dict[str, Any], members: Iterable[Member]) -> Group:
    listed = [{"value": member.id, "display": member.display} for member in members]
    return Group.model_validate({**document, "members": listed})


def _user_attributes(user: Any) -> UserAttributes:
    return _document_attributes(_document(user))


def _document_attributes(document: dict[str, Any]) -> UserAttributes:
    return UserAttributes(
        document=document,
        user_name=document["userName"],
        external_id=document.get("externalId"),
        active=document.get("active") is not False,
    )


def _group_attributes(group: Group) -> GroupAttributes:
    document = _document(group)
    document.pop("members", None)
    members: dict[str, Member] = {}
    for member in group.members or []:
        if member.value and member.value not in members:
            members[member.value] = Member(member.value, member.display)
    return GroupAttributes(
        document=document,
        display_name=group.display_name or "",
        external_id=group.external_id,
        members=tuple(members.values()),
    )


def _document(resource: Any) -> dict[str, Any]:
    """The stored form of a validated resource: what a response carries, less `id` and `meta`.

    The response dump leaves out what a response never returns (`password`).
    """
    document = resource.model_dump(mode="json", scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    document.pop("id", None)
    document.pop("meta", None)
    return document


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="the request body must be a JSON object")
    return payload


def _scim(action: Callable[[], _T]) -> _T:
    """Run a scim2-models call, turning its validation errors into SCIM exceptions."""
    try:
        return action()
    except ValidationError as error:
        raise SCIMException.from_error(Error.from_validation_errors(error)[0]) from error
