"""Where stacks written before version 0.2 find `ScimSettingsProvider`.

Pulumi keeps a dynamic provider in state by its module's name, and `refresh` and `destroy`
use the one stored when the resource was last created or updated (a `refresh`, or an `up`
without changes, keeps it). `tests/engine/test_state_0_1.py` proves a stack written by 0.1
still previews, refreshes, updates and destroys through this module. It may go in 1.0, once
no stack holds a resource last created or updated by 0.1 (its release notes must say so).
"""

from providers.dashboard.scim_settings import ScimSettingsProvider

__all__ = ["ScimSettingsProvider"]
