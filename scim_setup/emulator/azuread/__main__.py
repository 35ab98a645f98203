"""`python -m scim_setup.emulator.azuread`: what the `pulumi-resource-azuread` launcher runs."""

from scim_setup.emulator.azuread.server import serve

if __name__ == "__main__":
    serve()
