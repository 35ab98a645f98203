"""`scim-setup fleet`: one stack per customer, one command for all of them (`command.py`)."""
