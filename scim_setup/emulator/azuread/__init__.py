"""A stand-in for the `azuread` resource provider plugin (pulumi-azuread 6.x), for tests and the
demo where the real plugin cannot be downloaded.

The engine starts `bin/pulumi-resource-azuread` (see docs/azuread-stand-in.md); it serves the
resources and functions the Entra components use, with pulumi-azuread's type tokens and property
names, and does against Microsoft Graph (here: the fake Graph) what terraform-provider-azuread
does, function by function. Each module names the upstream function it follows.
"""

from pathlib import Path

PLUGIN_DIR = Path(__file__).resolve().parent / "bin"
"""The directory holding `pulumi-resource-azuread`: put it first on PATH, or name it in the
project's `plugins.providers` entry."""
