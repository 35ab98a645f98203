"""SCIM users and groups validated and patched with scim2-models.

Every write goes through here: the payload is first rewritten by
`scim_setup.emulator.entra_shapes`, then validated in the RFC 7644 request context and,
for PATCH, applied to the stored resource. What comes out is a plain JSON
document of attributes (no `id`, no `meta`, no group `members`: those live in
the store's columns and tables) plus the values the store indexes.
"""

import functools
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from scim2_models import (
    BaseModel,
    Context,
    EnterpriseUser,
    Error,
    Group,
    InvalidSyntaxException,
    PatchOp,
    Returned,
    SCIMException,
    ScimPolicy,
    User,
)

from scim_setup.emulator import entra_shapes, okta_shapes, simple_create, simple_patch
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
PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
_ACTIVE_PATHS = ("active", "urn:ietf:params:scim:schemas:core:2.0:user:active")
USER_PATCH = PatchOp[UserModel]
GROUP_PATCH = PatchOp[Group]
_UNASKED_OMITTED = (Returned.never, Returned.request)
RECENT_USERS = 1024
"""How many validated users `_recent_users` keeps, so a PATCH need not re-validate."""


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
    """Validate a `POST /Users` body (through `simple_create` where it applies)."""
    body = entra_shapes.user_payload(_object(payload))
    user = simple_create.validated(UserModel, ENTRA_POLICY, body) or _scim(
        lambda: UserModel.model_validate(
            body, scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=ENTRA_POLICY
        )
    )
    return _user_attributes(user)


def patched_user(document: dict[str, Any], payload: Any) -> UserAttributes:
    """Apply a `PATCH /Users/{id}` body to a stored user document.

    The body is validated as a PatchOp and applied by scim2-models; the stored
    document is not validated again when this process wrote it (see
    `_RecentUsers`). Two shapes skip the engine: an enable/disable
    (`active_toggle`), and operations that each set one string
    (`scim_setup.emulator.simple_patch`, which validates just what it writes).
    """
    body = entra_shapes.user_patch(_object(payload))
    active = active_toggle(body)
    if active is not None:
        return _document_attributes({**document, "active": active})
    updated = simple_patch.apply(UserModel, ENTRA_POLICY, document, body)
    if updated is not None:
        return _document_attributes(updated)
    patch = _scim(
        lambda: USER_PATCH.model_validate(
            body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=ENTRA_POLICY
        )
    )
    user = _recent_users.take(document)
    _scim(lambda: patch.patch(user, scim_policy=ENTRA_POLICY))
    return _user_attributes(user)


def active_toggle(body: dict[str, Any]) -> bool | None:
    """The new `active` of a PATCH that only sets `active`, else None.

    Disabling and enabling is the PATCH every identity provider sends most:
    Entra's `{"op":"Replace","path":"active","value":"False"}` (or `false`),
    Okta's `{"op":"replace","value":{"active":false}}`, Google's suspension.
    Its whole meaning is one boolean, so it is recognised here, in exactly
    these shapes, instead of running scim2-models' general PATCH engine (a
    deep copy and two validations of the user). Anything else, including
    an invalid value, goes to the engine and gets its error.
    """
    operations = body.get("Operations")
    if body.get("schemas") != [PATCH_OP_URN] or not isinstance(operations, list):
        return None
    if len(operations) != 1 or not isinstance(operations[0], dict):
        return None
    operation = operations[0]
    op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
    if set(operation) - {"op", "path", "value"} or not isinstance(op, str):
        return None
    if op.lower() not in ("replace", "add"):
        return None
    if path is None and isinstance(value, dict) and len(value) == 1:
        ((name, value),) = value.items()
        path = name
    if not isinstance(path, str) or path.lower() not in _ACTIVE_PATHS:
        return None
    return _boolean(value)


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
    user.replace(_recent_users.take(document))
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


class _RecentUsers:
    """The validated models of the user documents this process wrote last.

    Every stored document was produced by dumping a validated model, so
    validating it again on the next PATCH only costs time. The model is found
    by the document's JSON, handed out once (`take` removes it: PATCH mutates
    it) and put back by `_user_attributes` under its new document. A document
    not found here (another process wrote it, or it fell out) is validated.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._models: OrderedDict[str, Any] = OrderedDict()

    def take(self, document: dict[str, Any]) -> Any:
        model = self._models.pop(json.dumps(document), None)
        return model if model is not None else UserModel.model_validate(document)

    def put(self, document: dict[str, Any], model: Any) -> None:
        self._models[json.dumps(document)] = model
        if len(self._models) > self._size:
            self._models.popitem(last=False)

    def clear(self) -> None:
        self._models.clear()


_recent_users = _RecentUsers(RECENT_USERS)


def forget_recent_users() -> None:
    """Drop the validated models kept for PATCH, as a newly started process has none."""
    _recent_users.clear()


def _user_attributes(user: Any) -> UserAttributes:
    document = _document(user)
    _recent_users.put(document, user)
    return _document_attributes(document)


def _document_attributes(document: dict[str, Any]) -> UserAttributes:
    return UserAttributes(
        document=document,
        user_name=document["userName"],
        external_id=document.get("externalId"),
        active=document.get("active") is not False,
    )


def _boolean(value: Any) -> bool | None:
    """A JSON boolean, or Entra's `"True"`/`"False"` in any case (research §1 quirk table)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


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

    A response dump checks the returnability of every attribute at every
    level (about two thirds of a user's dump); the default dump does not, so
    the few attributes a response leaves out unless asked (`password`,
    `returned: never`) are left out here by name. A model with such a rule
    below its top level gets the response dump.
    """
    unreturned = _unreturned(type(resource))
    if unreturned is None:
        document = resource.model_dump(mode="json", scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    else:
        document = resource.model_dump(mode="json", scim_ctx=Context.DEFAULT)
        for name in unreturned:
            document.pop(name, None)
    document.pop("id", None)
    document.pop("meta", None)
    return document


@functools.cache
def _unreturned(model: type[BaseModel]) -> frozenset[str] | None:
    """The attributes of `model` a response omits unless asked, or None if some are nested."""
    names = set()
    for field_name in model.model_fields:
        if model.get_field_annotation(field_name, Returned) in _UNASKED_OMITTED:
            names.add(model._scim_name(field_name))
        kind = model.get_field_root_type(field_name)
        if isinstance(kind, type) and issubclass(kind, BaseModel) and _omits_any(kind):
            return None
    return frozenset(names)


def _omits_any(model: type[BaseModel]) -> bool:
    """Whether a response leaves out anything of `model` (a complex attribute) unless asked."""
    return any(
        model.get_field_annotation(name, Returned) in _UNASKED_OMITTED
        or (
            isinstance(kind := model.get_field_root_type(name), type)
            and issubclass(kind, BaseModel)
            and _omits_any(kind)
        )
        for name in model.model_fields
    )


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
