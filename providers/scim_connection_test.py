"""Where stacks written before version 0.2 find `ScimConnectionTestProvider`.

Pulumi keeps a dynamic provider in state by its module's name.
"""

from providers.dashboard.connection_check import ScimConnectionTestProvider

__all__ = ["ScimConnectionTestProvider"]
