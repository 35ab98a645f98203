"""`scim-setup`: the operator command (status, fleet, review), thin over stacks and outputs."""
