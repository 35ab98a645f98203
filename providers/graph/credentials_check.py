"""Where stacks written by version 0.2 find `EntraConnectionTestProvider` (now `connection_test`).

Pulumi keeps a dynamic provider in state by its module's name, and `refresh` and `destroy` use the
one stored when the resource was last created or updated. `tests/providers/test_serialization.py`
proves a provider pickled under this name still loads. It may go in 1.0, once no stack holds a
resource last created or updated by 0.2 (its release notes must say so).
"""

from providers.graph.connection_test import EntraConnectionTestProvider

__all__ = ["EntraConnectionTestProvider"]
