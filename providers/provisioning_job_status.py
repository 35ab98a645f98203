"""Where stacks written before version 0.2 find `ProvisioningJobStatusProvider`.

Pulumi keeps a dynamic provider in state by its module's name.
"""

from providers.graph.job_status import ProvisioningJobStatusProvider

__all__ = ["ProvisioningJobStatusProvider"]
