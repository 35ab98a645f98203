"""The app roles of an enterprise application made from the non-gallery template."""

USER_ROLE = "18d14569-c3bd-439b-9a66-3a2aee01d14f"
MSIAM_ACCESS = "b9632174-c057-4f7e-951b-be3adc52bfe6"
NON_GALLERY_ROLES = [
    {
        "id": USER_ROLE,
        "displayName": "User",
        "value": None,
        "allowedMemberTypes": ["User"],
        "isEnabled": True,
    },
    {
        "id": MSIAM_ACCESS,
        "displayName": "msiam_access",
        "value": None,
        "allowedMemberTypes": ["User"],
        "isEnabled": True,
    },
]
"""The roles of an app made from the non-gallery template (Graph's appRoles shape)."""
