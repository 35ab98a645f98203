"""Where stacks written before version 0.2 find `EntraConnectionTestProvider`.

Pulumi keeps a dynamic provider in state by its module's name.
"""

from providers.graph.credentials_check import EntraConnectionTestProvider

__all__ = ["EntraConnectionTestProvider"]
