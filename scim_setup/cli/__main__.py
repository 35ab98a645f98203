"""`python -m scim_setup.cli` runs the `scim-setup` command."""

from scim_setup.cli.app import main

main()
