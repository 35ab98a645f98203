"""Where stacks written before version 0.2 find `ScimTokenProvider`.

Pulumi keeps a dynamic provider in state by its module's name.
"""

from providers.dashboard.scim_token import ScimTokenProvider

__all__ = ["ScimTokenProvider"]
