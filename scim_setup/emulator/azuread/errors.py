"""How the stand-in fails: one line, what was called and what came back, as upstream words it.

A `ProviderError` reaches the engine as the RPC's error text (the engine prints it under the
resource); anything else is a bug here and keeps its traceback.
"""

from providers.error_reporting import OneLineError


class ProviderError(OneLineError):
    """An expected failure of a resource operation or function."""


class NotFound(ProviderError):
    """Graph answered 404 for the object an operation needs."""
