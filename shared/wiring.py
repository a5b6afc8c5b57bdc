"""Settings → adapters → service. Called once by each door (function_app.py, the CLI)."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from .core.catalogue import Catalogue
from .parsing.custom_zones import load_custom_rules
from .core.desired import DesirePolicy
from .core.ownership import short_hash
from .core.plan import Policy
from .core.ports import EstateReader, Metrics, ResolverReader, RunLease

if TYPE_CHECKING:
    from .adapters._pipeline import Pacer
from .observers.fanout import Observers
from .observers.metrics import LogMetrics
from .observers.notify import Notifier
from .observers.telemetry import Telemetry
from .usecases.audit import audit
from .usecases.forwarders import forwarders
from .usecases.resolve import resolve
from .core.forwarders import ForwarderPlan
from .core.model import ResourceId
from .core.walk import Resolution
from .core.findings import AuditReport
from .usecases.scope import SourceScope
from .service import Service, ServiceOptions
from .settings import Settings


#: How long an Event Grid delivery may wait for a slot under a limit (ARM's, Private DNS's 60 writes a
#: minute per zone) or for a 429's Retry-After before it is handed back to Event Grid as a transient
#: failure, to be redelivered later (10 s, 30 s, 1 min, … as infra's retry policy says) instead of
#: holding the worker.
EVENT_PATIENCE_SECONDS = 5.0


@contextlib.contextmanager
def patience(seconds: float | None) -> Iterator[None]:
    """Within the block, a request to Azure that would wait longer than `seconds` fails as transient."""
    from .adapters.patience import patience as waiting  # no SDK in it, but adapters are imported lazily here
    with waiting(seconds):
        yield


def catalogue_for(settings: Settings) -> Catalogue:
    rules = load_custom_rules(settings.custom_zones) if settings.custom_zones else ()
    return Catalogue.for_cloud(settings.cloud, custom_rules=rules)


def options_for(settings: Settings) -> ServiceOptions:
    return ServiceOptions(
        policy=Policy(
            owner_id=settings.owner_id,
            ttl=settings.ttl,
            adopt_zones=frozenset(z.lower().rstrip(".") for z in settings.adopt_zones),
            prefer_regions=frozenset(r.lower().replace(" ", "") for r in settings.prefer_regions),
            prefer_vnet_hashes=frozenset(short_hash(v.rstrip("/"), 8) for v in settings.prefer_vnets),
            upsert_only=settings.mode == "upsert-only",
        ),
        desire=DesirePolicy.from_ranges(
            settings.allowed_ip_ranges,
            publish_pending=settings.publish_pending,
            manage_zone_group_endpoints=settings.manage_zone_group_endpoints,
        ),
        create_zones=settings.create_zones,
        hub_vnet_ids=settings.hub_vnet_ids,
        source_subscriptions=frozenset(settings.source_subscriptions),
        tenant_id=settings.tenant_id,
        not_ready_give_up_seconds=settings.not_ready_give_up_minutes * 60,
        dry_run=settings.mode == "dry-run",
    )


def metrics_for(environ: Mapping[str, str] | None = None) -> Metrics:
    """OpenTelemetry metrics exported to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING
    is set (the Azure Monitor distro is imported only then); log lines otherwise (the CLI, tests)."""
    env = os.environ if environ is None else environ
    if not env.get("APPLICATIONINSIGHTS_CONNECTION_STRING", "").strip():
        return LogMetrics()
    from .adapters.otel import azure_monitor_metrics  # the OpenTelemetry SDK and distro: optional

    return azure_monitor_metrics()


def observers_for(settings: Settings, metrics: Metrics) -> Observers:
    """Who hears of each door's results: the metrics, and the app teams' notifications when
    PEDNS_NOTIFY_TOPIC_ENDPOINT is set."""
    notifier = notifier_for(settings, metrics)
    return Observers([Telemetry(metrics), *([notifier] if notifier is not None else [])])


def observers_or_nobody(settings: Callable[[], Settings], metrics: Metrics, *, log: logging.Logger) -> Observers:
    """`observers_for` for a door that asks after the DNS work, which telling people must not fail:
    when the settings cannot be read or the observers cannot be built, that is logged on the door's
    `log` and nobody is told."""
    try:
        return observers_for(settings(), metrics)
    except Exception:  # noqa: BLE001 - the DNS work is done
        log.exception("the observers (metrics, notifications) could not be built; none will be told")
        return Observers()


def notifier_for(settings: Settings, metrics: Metrics | None = None) -> Notifier | None:
    """The notifier the settings ask for: None without `PEDNS_NOTIFY_TOPIC_ENDPOINT`."""
    if not settings.notify_topic_endpoint:
        return None
    # The adapters import the Azure SDKs (about 200 ms, measured): only when a door needs Azure, so
    # `pedns zones`, `explain FILE` and `--help` do not pay for them.
    from .adapters.credentials import make_credential
    from .adapters.eventgrid import EventGridTopic

    return Notifier(EventGridTopic(make_credential(settings), settings), owner_id=settings.owner_id, metrics=metrics)


def build_service(settings: Settings, *, metrics: Metrics | None = None, pacer: Pacer | None = None) -> Service:
    """The service against Azure (or the emulator) as the settings say. Needs the hub settings.
    `metrics` default: `metrics_for()`; the ARM pipeline counts throttling and retries there too.
    `pacer` default: a new one on the real clock (the benchmarks pass one on a faster clock)."""
    settings.require("PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP")
    # The Azure SDKs, only when a service against Azure is built (see notifier_for).
    from .adapters._pipeline import Pacer
    from .adapters.arm import ArmEndpointReader
    from .adapters.capacity import PacedCapacity
    from .adapters.credentials import make_credential
    from .adapters.graph import GraphEstateReader
    from .adapters.privatedns import AzureZoneStore
    from .adapters.tables import make_index

    credential = make_credential(settings)
    metrics = metrics if metrics is not None else metrics_for()
    if pacer is None:
        pacer = Pacer(metrics=metrics)  # ARM's buckets are per caller: one pacer for all of this service's clients
    else:
        pacer.metrics = metrics
    estate = GraphEstateReader(credential, settings, pacer=pacer)
    return Service(
        reader=ArmEndpointReader(credential, settings, pacer=pacer),
        store=AzureZoneStore(credential, settings, pacer=pacer),
        capacity=PacedCapacity(pacer, settings),  # the room the pacer sees in each zone's Private DNS windows
        resolver=catalogue_for(settings),
        index=make_index(settings),
        options=options_for(settings),
        estate=estate,
        scope=scope_for(settings, estate),
        metrics=metrics,
    )


def lease_for(settings: Settings) -> RunLease:
    """The reconcile's lease: in the claim index's table when there is one, else this process's own."""
    from .adapters.run_lease import make_lease  # the Tables SDK, only when a function app runs a reconcile

    return make_lease(settings)


def scope_for(settings: Settings, estate: EstateReader | None) -> SourceScope:
    """The configured subscriptions and management groups, the groups resolved through `estate`."""
    return SourceScope(settings.source_subscriptions, settings.source_management_groups,
                       resolve=estate.subscriptions if estate is not None else None,
                       refresh_seconds=settings.scope_refresh_seconds)


def audit_for(service: Service, settings: Settings) -> AuditReport:
    """`pedns audit` and the timer's audit: the settings' hub, networks and resolvers."""
    catalogue = catalogue_for(settings)
    with resolver_reader(settings) as paths:
        return audit(service, hub_subscription=settings.dns_subscription_id,
                     hub_resource_group=settings.dns_resource_group,
                     catalogue_zones=[z for row in catalogue.rows for z in row.zones if "{" not in z],
                     hub_vnet_ids=settings.hub_vnet_ids, hub_dns_servers=settings.hub_dns_servers,
                     resolvers=paths, public_zones_of=lambda zone: catalogue.public_zones(zone)[0],
                     dr_regions=settings.dr_regions)


@contextlib.contextmanager
def resolver_reader(settings: Settings) -> Iterator[ResolverReader]:
    """The DNS Private Resolver reader against Azure (or the emulator), closed after the block."""
    # The Azure SDKs, only when a command needs Azure (see notifier_for).
    from .adapters.credentials import make_credential
    from .adapters.graph import GraphEstateReader
    from .adapters.resolvers import AzureResolverReader

    credential = make_credential(settings)
    paths = AzureResolverReader(credential, settings, GraphEstateReader(credential, settings))
    try:
        yield paths
    finally:
        paths.close()


def resolve_for(service: Service, settings: Settings, *, name: str, network_id: ResourceId) -> Resolution:
    """`pedns resolve`: the path of `name` from `network_id`, with the settings' hub and its DNS."""
    with resolver_reader(settings) as paths:
        return resolve(service, paths, name=name, network_id=network_id, alias_of=catalogue_for(settings).alias,
                       hub_subscription=settings.dns_subscription_id, hub_resource_group=settings.dns_resource_group,
                       hub_servers=settings.hub_dns_servers, hub_networks=settings.hub_vnet_ids)


def forwarders_for(service: Service, settings: Settings, *, targets: Sequence[str]) -> ForwarderPlan:
    """`pedns forwarders`: the hub's zones as on-premises conditional forwarders to `targets`."""
    catalogue = catalogue_for(settings)
    return forwarders(service, cloud=catalogue.cloud, targets=targets, hub_subscription=settings.dns_subscription_id,
                      hub_resource_group=settings.dns_resource_group, public_zones_of=catalogue.public_zones)
