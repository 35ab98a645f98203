"""Where stacks written before version 0.2 find `ScimSettingsProvider`.

Pulumi keeps a dynamic provider in state by its module's name; `tests/engine/test_state_0_1.py`
proves a stack written by 0.1 still previews, refreshes, updates and destroys through this
module. It may go in 1.0, once the stacks made by 0.1 have had an `up` with 0.2 or later,
which stores the provider under its new module.
"""

from providers.dashboard.scim_settings import ScimSettingsProvider

__all__ = ["ScimSettingsProvider"]
