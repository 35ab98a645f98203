"""Where stacks written before version 0.2 find `ScimSettingsProvider`.

Pulumi keeps a dynamic provider in state by its module's name.
"""

from providers.dashboard.scim_settings import ScimSettingsProvider

__all__ = ["ScimSettingsProvider"]
