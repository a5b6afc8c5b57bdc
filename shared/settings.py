"""Every `PEDNS_*` setting in one place, read from app settings / the environment.

Each door checks only what it needs (`settings.require(...)`), and a problem report lists every
missing or invalid setting at once, so a deployment is fixed in one round.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .core.arm_names import GUID, RESOURCE_GROUP, is_guid, is_resource_group
from .core.regions import unknown_region
from .errors import ConfigError
from .parsing.custom_zones import load_custom_rules

Cloud = Literal["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"]

#: ARM endpoint and token audience per cloud (azure-core's AzureClouds agree).
CLOUDS: dict[str, tuple[str, str]] = {
    "AzureCloud": ("https://management.azure.com", "https://management.azure.com/.default"),
    "AzureUSGovernment": ("https://management.usgovcloudapi.net", "https://management.usgovcloudapi.net/.default"),
    "AzureChinaCloud": ("https://management.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"),
}

#: The ARM hosts of each cloud, to which the managed identity's token may go. Each cloud has one
#: resource manager endpoint: azure-mgmt-core's `get_arm_endpoints` (azure/mgmt/core/tools.py) and
#: Learn's national-cloud endpoint tables list `management.azure.com`, `management.usgovcloudapi.net`
#: and `management.chinacloudapi.cn`, and neither documents regional ARM hosts, so none is listed.
ARM_HOSTS: dict[str, frozenset[str]] = {
    cloud: frozenset({url.removeprefix("https://")}) for cloud, (url, _) in CLOUDS.items()
}

#: Environment variables that only Azure's hosting sets, so their presence means pedns runs in Azure
#: (the first one found is named in the refusal):
#: - `WEBSITE_INSTANCE_ID`: the Functions host's own test for App Service (Windows and Linux
#:   dedicated, Windows Consumption, Elastic Premium): `EnvironmentExtensions.IsAppService()` in
#:   Azure/azure-functions-host (src/WebJobs.Script/Environment/EnvironmentExtensions.cs).
#: - `WEBSITE_SITE_NAME`, `WEBSITE_OWNER_NAME`, `WEBSITE_SKU`: "Read-only" variables of every app
#:   (Learn, "Environment variables and app settings in Azure App Service", App environment);
#:   `WEBSITE_SKU` is also how the host recognises Flex Consumption (`IsFlexConsumptionSku()`).
#: - `LEGION_SERVICE_HOST`: Linux Consumption and Flex Consumption on Legion
#:   (`IsLinuxConsumptionOnLegion()` in the same file).
#: - `IDENTITY_HEADER`: set next to `IDENTITY_ENDPOINT` when the app has a managed identity (Learn,
#:   "How to use managed identities for App Service and Azure Functions", REST endpoint reference).
#: Core Tools (`func start`) sets none of them: it marks itself with FUNCTIONS_CORETOOLS_ENVIRONMENT
#: (the host's `IsCoreTools()`), which is deliberately no exemption. `CONTAINER_NAME`, which the host
#: also reads, is left out: ordinary containers set it too.
AZURE_HOST_MARKERS = ("WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME", "WEBSITE_OWNER_NAME", "WEBSITE_SKU",
                      "LEGION_SERVICE_HOST", "IDENTITY_HEADER")


def azure_host_marker(environ: Mapping[str, str]) -> str:
    """The first of `AZURE_HOST_MARKERS` set in `environ` ("" when not running in Azure)."""
    return next((name for name in AZURE_HOST_MARKERS if environ.get(name, "").strip()), "")


def dev_only_problems(*, cloud: str, arm_endpoint: str, credential: str, index_connection_string: str,
                      environ: Mapping[str, str]) -> list[str]:
    """What is wrong with the development-only settings, one entry per problem naming the setting.

    - `PEDNS_CREDENTIAL=emulator` (a fixed token) and `PEDNS_INDEX_CONNECTION_STRING` (Azurite) are
      refused when running in Azure and whenever the ARM endpoint is a real one (the default, or any
      cloud's ARM host): they exist for the local emulator only.
    - A `PEDNS_ARM_ENDPOINT` that is not the cloud's own ARM host is accepted only with the emulator
      credential: any other credential would send a real token there.
    Values are never echoed except the endpoint's host.
    """
    problems: list[str] = []
    endpoint = arm_endpoint.strip().rstrip("/")
    known = frozenset().union(*ARM_HOSTS.values())
    own = ARM_HOSTS.get(cloud)  # None: PEDNS_CLOUD is invalid and reported on its own
    emulator = credential.strip() == "emulator"
    real = True  # the ARM endpoint is a real one: the default, or an ARM host
    if endpoint.lower().startswith("https://"):  # anything else is refused by the field validator
        try:
            url = urlsplit(endpoint)
            host, port = (url.hostname or "").lower().rstrip("."), url.port
        except ValueError:
            url, host, port = None, "", None
            problems.append("PEDNS_ARM_ENDPOINT: not a valid URL")
        real = host in known
        if url is None:
            pass
        elif not emulator and own is not None and host not in own:
            problems.append(
                f"PEDNS_ARM_ENDPOINT: {host!r} is not the ARM endpoint of {cloud} ({', '.join(sorted(own))}); "
                "another host is accepted only with PEDNS_CREDENTIAL=emulator, so that no real token is sent there")
        elif real and (port not in (None, 443) or url.username or url.password or url.path not in ("", "/")
                       or url.query or url.fragment):
            problems.append(f"PEDNS_ARM_ENDPOINT: must be just https://{host} (no port, path, user or query)")
    elif endpoint:
        real = False
    marker = azure_host_marker(environ)
    if marker:
        where, instead = f"when running in Azure ({marker} is set)", "use managed-identity"
    elif real:
        shown = f"https://{host}" if endpoint else CLOUDS.get(cloud, CLOUDS["AzureCloud"])[0]
        where, instead = f"with the real ARM endpoint ({shown})", "set PEDNS_ARM_ENDPOINT to the emulator's"
    else:
        where = instead = ""
    if where and emulator:
        problems.append(f"PEDNS_CREDENTIAL: 'emulator' is for the local emulator only, refused {where}; {instead}")
    if where and index_connection_string.strip():
        problems.append(f"PEDNS_INDEX_CONNECTION_STRING: development only (Azurite), refused {where}; "
                        "use PEDNS_INDEX_TABLE_ENDPOINT with managed identity")
    return problems


#: Private ranges an endpoint IP may come from unless PEDNS_ALLOWED_IP_RANGES says otherwise.
DEFAULT_IP_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fd00::/8")


_GROUP_ID = re.compile(r"^[A-Za-z0-9_().-]{1,90}\Z", re.ASCII)

#: A virtual network's resource id (its name: 2-64 of alphanumerics and `_.-`, starting alphanumeric,
#: ending alphanumeric or `_`), with or without a trailing `/`.
_VNET_ID = re.compile(
    rf"/subscriptions/{GUID}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft\.Network/virtualNetworks/"
    r"[a-z0-9][a-z0-9_.\-]{0,62}[a-z0-9_]/?\Z", re.IGNORECASE | re.ASCII)


# -- the shape of single settings (each refusal one line, listed with every other invalid setting) --


def _guid_text(value: str, what: str) -> str:
    """ARM refuses anything else (400 InvalidSubscriptionId), and an event's tenant id is a GUID."""
    text = value.strip()
    if text and not is_guid(text):
        raise ValueError(f"{text!r} is not {what} (a GUID: 8-4-4-4-12 hexadecimal digits)")
    return text


def _subscription_id(value: str) -> str:
    return _guid_text(value, "a subscription id")


def _tenant_id(value: str) -> str:
    return _guid_text(value, "a tenant id")


def _subscription_ids(value: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_subscription_id(item).lower() for item in value)


def _resource_group(value: str) -> str:
    text = value.strip()
    if text and not is_resource_group(text):
        raise ValueError(f"{text!r} is not a resource group name (1-90 of ASCII letters, digits and "
                         "'_-.()', not ending in '.')")
    return text


def _vnet_ids(value: tuple[str, ...]) -> tuple[str, ...]:
    for item in value:
        if not _VNET_ID.match(item):
            raise ValueError(f"{item!r} is not a virtual network resource id "
                             "(/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Network/"
                             "virtualNetworks/{name})")
    return value


def _group_ids(value: tuple[str, ...]) -> tuple[str, ...]:
    for item in value:  # a management group id: 1-90 of letters, digits, '-', '_', '(', ')', '.'
        if not _GROUP_ID.match(item):
            raise ValueError(f"{item!r} is not a management group id (the name, not a path or display name)")
    return value


def _addresses(value: tuple[str, ...]) -> tuple[str, ...]:
    for item in value:
        try:
            ipaddress.ip_address(item)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address") from None
    return value


def _cidrs(value: tuple[str, ...]) -> tuple[str, ...]:
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP range (CIDR)") from None
    return value


SubscriptionId = Annotated[str, AfterValidator(_subscription_id)]
TenantId = Annotated[str, AfterValidator(_tenant_id)]
SubscriptionIds = Annotated[tuple[str, ...], AfterValidator(_subscription_ids)]
ResourceGroup = Annotated[str, AfterValidator(_resource_group)]
NetworkIds = Annotated[tuple[str, ...], AfterValidator(_vnet_ids)]
GroupIds = Annotated[tuple[str, ...], AfterValidator(_group_ids)]
Addresses = Annotated[tuple[str, ...], AfterValidator(_addresses)]
Ranges = Annotated[tuple[str, ...], AfterValidator(_cidrs)]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class Settings(BaseModel):
    """pedns's configuration. Field aliases are the app-setting names."""

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="ignore")

    cloud: Cloud = Field("AzureCloud", alias="PEDNS_CLOUD")
    arm_endpoint: str = Field("", alias="PEDNS_ARM_ENDPOINT")
    ca_bundle: str = Field("", alias="PEDNS_CA_BUNDLE")
    credential: Literal["auto", "managed-identity", "default", "emulator"] = Field("auto", alias="PEDNS_CREDENTIAL")
    managed_identity_client_id: str = Field("", alias="PEDNS_MANAGED_IDENTITY_CLIENT_ID")

    dns_subscription_id: SubscriptionId = Field("", alias="PEDNS_DNS_SUBSCRIPTION_ID")
    dns_resource_group: ResourceGroup = Field("", alias="PEDNS_DNS_RESOURCE_GROUP")
    source_subscriptions: SubscriptionIds = Field((), alias="PEDNS_SOURCE_SUBSCRIPTIONS")
    source_management_groups: GroupIds = Field((), alias="PEDNS_SOURCE_MANAGEMENT_GROUPS")
    scope_refresh_seconds: int = Field(300, alias="PEDNS_SCOPE_REFRESH_SECONDS", ge=10, le=86400)
    tenant_id: TenantId = Field("", alias="PEDNS_TENANT_ID")

    mode: Literal["sync", "upsert-only", "dry-run"] = Field("sync", alias="PEDNS_MODE")
    owner_id: str = Field("pedns", alias="PEDNS_OWNER_ID", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    ttl: int = Field(10, alias="PEDNS_TTL", ge=1, le=2147483647)
    publish_pending: bool = Field(False, alias="PEDNS_PUBLISH_PENDING")
    manage_zone_group_endpoints: bool = Field(False, alias="PEDNS_MANAGE_ZONE_GROUP_ENDPOINTS")
    adopt_zones: tuple[str, ...] = Field((), alias="PEDNS_ADOPT_ZONES")
    prefer_regions: tuple[str, ...] = Field((), alias="PEDNS_PREFER_REGIONS")
    prefer_vnets: NetworkIds = Field((), alias="PEDNS_PREFER_VNETS")
    dr_regions: tuple[str, ...] = Field((), alias="PEDNS_DR_REGIONS")
    create_zones: bool = Field(False, alias="PEDNS_CREATE_ZONES")
    hub_vnet_ids: NetworkIds = Field((), alias="PEDNS_HUB_VNET_IDS")
    hub_dns_servers: Addresses = Field((), alias="PEDNS_HUB_DNS_SERVERS")
    audit: bool = Field(False, alias="PEDNS_AUDIT")
    custom_zones: str = Field("", alias="PEDNS_CUSTOM_ZONES")
    allowed_ip_ranges: Ranges = Field(DEFAULT_IP_RANGES, alias="PEDNS_ALLOWED_IP_RANGES")
    not_ready_give_up_minutes: int = Field(60, alias="PEDNS_NOT_READY_GIVE_UP_MINUTES", ge=0)

    index_table_endpoint: str = Field("", alias="PEDNS_INDEX_TABLE_ENDPOINT")
    index_table_name: str = Field("pednsindex", alias="PEDNS_INDEX_TABLE_NAME", pattern=r"^[A-Za-z][A-Za-z0-9]{2,62}$")
    index_connection_string: str = Field("", alias="PEDNS_INDEX_CONNECTION_STRING")

    notify_topic_endpoint: str = Field("", alias="PEDNS_NOTIFY_TOPIC_ENDPOINT")

    arm_retry_total: int = Field(6, alias="PEDNS_ARM_RETRY_TOTAL", ge=0, le=20)
    arm_timeout_seconds: int = Field(30, alias="PEDNS_ARM_TIMEOUT_SECONDS", ge=1, le=600)
    #: List a zone's record sets of every type in one request (needs `…/privateDnsZones/ALL/read`).
    list_all_record_types: bool = Field(False, alias="PEDNS_LIST_ALL_RECORD_TYPES")
    reconcile_concurrency: int = Field(8, alias="PEDNS_RECONCILE_CONCURRENCY", ge=1, le=32)
    reconcile_budget_seconds: int = Field(420, alias="PEDNS_RECONCILE_BUDGET_SECONDS", ge=0, le=86400)
    max_replay_ids: int = Field(100, alias="PEDNS_MAX_REPLAY_IDS", ge=1, le=10000)
    reconcile_schedule: str = Field("0 */15 * * * *", alias="PEDNS_RECONCILE_SCHEDULE")

    @field_validator(
        "source_subscriptions", "source_management_groups", "adopt_zones", "prefer_regions", "prefer_vnets", "hub_vnet_ids",
        "dr_regions",
        "hub_dns_servers",
        "allowed_ip_ranges", mode="before",
    )
    @classmethod
    def _list(cls, value: Any) -> Any:
        return tuple(_split(value)) if isinstance(value, str) else value

    @field_validator("dr_regions")
    @classmethod
    def _regions(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """Regions of the cloud, as claims record a location (`West US 2` → `westus2`)."""
        cloud = info.data.get("cloud", "AzureCloud")
        problems = [p for p in (unknown_region(r, cloud) for r in value) if p]
        if problems:
            raise ValueError("; ".join(problems))
        return tuple(dict.fromkeys(r.strip().lower().replace(" ", "") for r in value))

    @field_validator("arm_endpoint", "index_table_endpoint", "notify_topic_endpoint")
    @classmethod
    def _https(cls, value: str) -> str:
        # PEDNS_ARM_ENDPOINT's host is checked against the credential in `dev_only_problems`.
        if value and not value.lower().startswith("https://"):
            raise ValueError("must be an https:// URL (the bearer-token policy refuses plain http)")
        return value.rstrip("/")

    @field_validator("custom_zones")
    @classmethod
    def _custom_rules(cls, value: str) -> str:
        """Read whole, as the wiring will (`load_custom_rules`), so that a bad rule is listed with
        every other invalid setting instead of failing alone once the catalogue is built."""
        text = value.strip()
        try:
            load_custom_rules(text)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return text

    @field_validator("index_connection_string")
    @classmethod
    def _azurite_only(cls, value: str) -> str:
        """Development against Azurite only: production uses the table endpoint and managed identity,
        so no real account's key is ever kept in settings. The message never echoes the value."""
        text = value.strip()
        if not text or text.lower() == "usedevelopmentstorage=true":  # as the SDK compares it
            return text
        parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
        endpoints = {k.lower(): v for k, v in parts.items() if k.lower().endswith("endpoint")}
        loopback = {"127.0.0.1", "localhost", "::1"}
        if "tableendpoint" not in endpoints or any(
                (urlsplit(url.strip()).hostname or "").lower() not in loopback for url in endpoints.values()):
            raise ValueError("only for Azurite (UseDevelopmentStorage=true or loopback endpoints); "
                             "use PEDNS_INDEX_TABLE_ENDPOINT with managed identity for a real account")
        return text

    # -- derived values ------------------------------------------------------------------------

    @property
    def arm_base_url(self) -> str:
        return self.arm_endpoint or CLOUDS[self.cloud][0]

    @property
    def token_scope(self) -> str:
        """Always the cloud's management audience, even when the endpoint is the emulator."""
        return CLOUDS[self.cloud][1]

    @property
    def hub_resource_group_id(self) -> str:
        return f"/subscriptions/{self.dns_subscription_id}/resourceGroups/{self.dns_resource_group}"

    def require(self, *names: str) -> "Settings":
        """Raise one ConfigError naming every listed setting (by app-setting name) that is empty."""
        missing = [
            alias for alias in names
            if not getattr(self, _FIELD_BY_ALIAS[alias])
        ]
        if missing:
            raise ConfigError("missing setting(s): " + ", ".join(missing))
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, require: tuple[str, ...] = ()) -> "Settings":
        """Read and validate; one ConfigError lists every invalid setting and every missing `require`d one."""
        env = os.environ if environ is None else environ
        raw = {alias: env[alias] for alias in _FIELD_BY_ALIAS if alias in env and env[alias].strip() != ""}
        problems = [f"{name}: missing" for name in require if name not in raw]
        # The CA bundle is checked only by a caller that needs the hub (and so talks to ARM): a
        # command with no Azure access must not fail on a stale bundle of a stopped emulator.
        bundle = raw.get("PEDNS_CA_BUNDLE", "")
        if require and bundle and not os.path.isfile(bundle):
            problems.append(f"PEDNS_CA_BUNDLE: file {bundle!r} does not exist")
        try:
            settings = cls.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else "?"
                message = err["msg"].removeprefix("Value error, ")
                # PEDNS_CUSTOM_ZONES's messages name it themselves (with the rule or file).
                problems.append(message if message.startswith(name) else f"{name}: {message}")
            settings = None
        problems += dev_only_problems(
            cloud=raw.get("PEDNS_CLOUD", "AzureCloud"), arm_endpoint=raw.get("PEDNS_ARM_ENDPOINT", ""),
            credential=raw.get("PEDNS_CREDENTIAL", "auto"),
            index_connection_string=raw.get("PEDNS_INDEX_CONNECTION_STRING", ""), environ=env)
        if problems:
            raise ConfigError("invalid settings: " + "; ".join(problems))
        assert settings is not None
        return settings


_FIELD_BY_ALIAS: dict[str, str] = {
    str(info.alias): name for name, info in Settings.model_fields.items() if info.alias
}

#: Every app-setting name pedns reads (the README table and infra/ are tested against this).
SETTING_NAMES: tuple[str, ...] = tuple(_FIELD_BY_ALIAS)
