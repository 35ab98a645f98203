"""The pack the engine starts for `pulumi preview --policy-pack policy`; serves until stopped."""

from pulumi_policy import PolicyPack
from scim_policies import policies

PolicyPack(name="scim-setup", policies=policies())
