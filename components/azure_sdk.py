"""The Azure SDKs, imported when a component first builds an Azure resource.

Every `pulumi` command runs the whole program, and `pulumi_azuread` alone imports ~85 modules.
The stack config schema reads the Entra and Azure components' argument classes and checks, which
need no SDK, so a Dashboard-only stack (no `entra` or `azureExtras` section) never imports one.
Components name an SDK module through `LazyModule` and use it as if imported.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule(ModuleType):
    """Stands for the module `name`; the first attribute read imports it."""

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(importlib.import_module(self.__name__), attribute)
        setattr(self, attribute, value)
        return value
