"""The `scim-setup` operator command (`scim_setup.cli`) and the local stand-ins the tests and the
demo run against: the Dashboard emulator and the fake Microsoft Graph (`scim_setup.emulator`,
installed with the `emulator` extra)."""
