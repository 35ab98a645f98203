"""`python -m cli` runs the `scim-setup` command."""

from cli.app import main

main()
