"""Pulumi components for the SCIM setup: the Dashboard step (`components.dashboard_scim`), the
Entra step (`components.entra_provisioning`), and both wired (`components.scim_setup`).

Import them from their modules: this package imports nothing, so a Dashboard-only program never
loads the Entra step.
"""
