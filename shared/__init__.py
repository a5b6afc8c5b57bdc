"""pedns core: event-driven DNS records for Azure Private Endpoints.

Pure modules (events, catalogue, desired, ownership, plan) take values and return values;
`service` runs read → desire → plan → apply through the ports in `ports`, which the
adapters in `shared.adapters` implement with the Azure SDKs.
"""

__version__ = "0.1.0"
