"""Azure Resource Graph's `POST /providers/Microsoft.ResourceGraph/resources`, for the queries pedns sends.

The emulator does not interpret KQL. A query is matched, whitespace runs aside, against exactly the
nine templates in `_kql` and answered from the store; anything else is refused with Resource Graph's
`InvalidQuery` error, never answered with a guess. The quota headers and 429s are added by the
front door (`_frontdoor`); this module is the pure evaluation plus the lagging view of private
endpoints that makes Resource Graph eventually consistent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from ._http import GUID, ArmError, Request, Response
from ._kql import (
    UNSUPPORTED,
    GraphError,
    Query,
    address_rows,
    endpoint_row,
    matching_endpoints,
    normalise,
    parse,
    resource_rows,
)
from ._resolvers import resolver_rows
from ._management import group_exists, known_subscriptions, subscriptions_under
from ._store import Store

API_VERSIONS = ("2021-03-01", "2022-10-01", "2024-04-01")
DEFAULT_TOP = 100
MAX_TOP = 1000

GRAPH_PATH = "/providers/microsoft.resourcegraph/resources"

#: How long past the lag the endpoint history is kept (so a lag raised a little still has it).
HISTORY_MARGIN_SECONDS = 1.0
#: Every this many recorded changes, the whole history is pruned (endpoints changed once and never
#: queried would otherwise stay in it).
HISTORY_SWEEP_EVERY = 1024


def throttled(resets_after: float, *, retry_after: bool = False) -> Response:
    """The 429 Resource Graph answers when a caller's quota is used up (quota headers added by the
    caller). Azure documents no `Retry-After` on it; `retry_after` adds one (whole seconds until the
    quota resets) for a test that wants it."""
    headers = {"Retry-After": str(max(1, math.ceil(resets_after)))} if retry_after else {}
    err = GraphError(429, [], code="RateLimiting",
                     message="Client application has been throttled and should not attempt to repeat the request "
                             "until an amount of time has elapsed.",
                     headers=headers)
    return err.response()


def _bad(code: str, message: str) -> GraphError:
    return GraphError(400, [(code, message)])



# ---------------------------------------------------------------------- eventual consistency

class History:
    """Per-endpoint history of (monotonic time, body or None when deleted), for a lagging view.

    Kept only while a lag is set. The first entry of an endpoint is its state before the first
    recorded change (at time -inf); entries older than lag + margin are dropped, keeping the one
    that gives the state at that time, and an endpoint whose only entry is that old is forgotten
    (its current state is the answer). Used under the store's lock.
    """

    def __init__(self) -> None:
        self._entries: dict[str, list[tuple[float, dict[str, Any] | None]]] = {}
        self._recorded = 0

    def __len__(self) -> int:
        return len(self._entries)

    def record(self, lid: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
               now: float, lag: float) -> None:
        if lag <= 0:
            self._entries.clear()
            return
        entries = self._entries.get(lid)
        if entries is None:
            entries = self._entries[lid] = [(-math.inf, before)]
        entries.append((now, after))
        cutoff = now - lag - HISTORY_MARGIN_SECONDS
        self._prune(lid, entries, cutoff)
        self._recorded += 1
        if self._recorded % HISTORY_SWEEP_EVERY == 0:
            for other, other_entries in list(self._entries.items()):
                self._prune(other, other_entries, cutoff)

    def _prune(self, lid: str, entries: list[tuple[float, dict[str, Any] | None]], cutoff: float) -> None:
        last_old = 0
        for i, (stamp, _) in enumerate(entries):
            if stamp > cutoff:
                break
            last_old = i
        if last_old:
            del entries[:last_old]
        if len(entries) == 1:
            del self._entries[lid]

    def view(self, current: dict[str, dict[str, Any]], now: float, lag: float) -> dict[str, dict[str, Any]]:
        """The endpoints as they were `lag` seconds before `now`."""
        if lag <= 0:
            self._entries.clear()
            return current
        if not self._entries:
            return current
        as_of = now - lag
        view = dict(current)
        for lid, entries in list(self._entries.items()):
            body = entries[0][1]
            for stamp, state in entries:
                if stamp > as_of:
                    break
                body = state
            if body is None:
                view.pop(lid, None)
            else:
                view[lid] = body
            self._prune(lid, entries, now - lag - HISTORY_MARGIN_SECONDS)
        return view


# ---------------------------------------------------------------------- paging

def _scope_hash(query: str, subscriptions: Iterable[str], groups: Iterable[str]) -> str:
    text = "\n".join([normalise(query), ",".join(sorted(subscriptions)), ",".join(sorted(groups))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _skip_token(offset: int, scope_hash: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "h": scope_hash}).encode()).decode()


def _token_offset(token: str, scope_hash: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, token_hash = data["o"], data["h"]
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError(offset)
    except (ValueError, TypeError, KeyError):
        raise _bad("InvalidSkipToken", f"The $skipToken '{token}' is not valid.") from None
    if token_hash != scope_hash:
        raise _bad("InvalidSkipToken",
                   "The $skipToken was issued for another query or scope; send the same query and scope with it.")
    return offset


def _int_option(options: dict[str, Any], name: str, low: int, high: int | None) -> int | None:
    value = options.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _bad("InvalidQueryOptions", f"The option '{name}' must be an integer {bounds}; got {value!r}.")
    return value


def _string_list(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise _bad("InvalidRequestContent", f"'{name}' must be an array of non-empty strings.")
    return value


# ---------------------------------------------------------------------- the route

class Graph:
    """Answers Resource Graph queries over the store (quota and faults are the front door's)."""

    def __init__(self, store: Store, *, lag: Callable[[], float], clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._lag = lag
        self._clock = clock
        self._history = History()

    def record(self, lid: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        """The `Arm` hook for private endpoint changes (called under the store's lock)."""
        self._history.record(lid, before, after, self._clock(), self._lag())

    @staticmethod
    def is_graph_path(path: str) -> bool:
        segments = [s.lower() for s in unquote(path).split("/") if s]
        return segments[:2] == ["providers", "microsoft.resourcegraph"]

    def precheck(self, req: Request) -> Response | None:
        """The checks ARM makes before the request reaches Resource Graph (and its quota)."""
        path = unquote(req.path).lower().rstrip("/")
        if path != GRAPH_PATH:
            return ArmError(404, "InvalidResourceType",
                            f"The resource type '{path.rsplit('/', 1)[-1]}' could not be found in the namespace "
                            f"'Microsoft.ResourceGraph' for api version '{req.query.get('api-version', '')}'.").response()
        version = req.query.get("api-version", "")
        if version not in API_VERSIONS:
            return ArmError(400, "InvalidApiVersionParameter",
                            f"The api-version '{version}' is invalid. The supported versions are "
                            f"'{','.join(API_VERSIONS)}'.").response()
        if req.method != "POST":
            return ArmError(405, "MethodNotAllowed",
                            f"The requested method '{req.method}' is not allowed on '{unquote(req.path)}'.").response()
        return None

    def handle(self, req: Request) -> Response:
        early = self.precheck(req)
        if early is not None:
            return early
        try:
            return self._query(req)
        except GraphError as err:
            return err.response()

    def _query(self, req: Request) -> Response:
        try:
            body = json.loads(req.body or b"")
        except (ValueError, UnicodeDecodeError) as exc:
            raise _bad("InvalidRequestContent", f"The request content could not be deserialized: {exc}.") from None
        if not isinstance(body, dict):
            raise _bad("InvalidRequestContent", "The request content must be a JSON object.")
        text = body.get("query")
        if not isinstance(text, str) or not text.strip():
            raise _bad("InvalidRequestContent", "The 'query' member is required and must be a non-empty string.")
        subscriptions = _string_list(body, "subscriptions")
        groups = _string_list(body, "managementGroups")
        for sub in subscriptions:
            if not GUID.match(sub):
                raise _bad("InvalidSubscriptionId", f"The subscription '{sub}' is not a valid subscription id.")
        if subscriptions and groups:  # Learn, Resource Graph "Query scope": never both in one request
            raise _bad("InvalidScope", "managementGroups can't be used at the same time as subscriptions.")
        options = body.get("options") or {}
        if not isinstance(options, dict):
            raise _bad("InvalidRequestContent", "'options' must be an object.")
        top = _int_option(options, "$top", 1, MAX_TOP) or DEFAULT_TOP
        skip = _int_option(options, "$skip", 0, None)
        token = options.get("$skipToken")
        if token is not None and not isinstance(token, str):
            raise _bad("InvalidSkipToken", "'$skipToken' must be a string.")
        if options.get("resultFormat", "objectArray") != "objectArray":
            raise GraphError(400, [("InvalidQueryOptions", f"resultFormat '{options.get('resultFormat')}' is not supported."),
                                   UNSUPPORTED])
        if body.get("facets"):
            raise GraphError(400, [("InvalidQueryOptions", "facets are not supported."), UNSUPPORTED])
        query = parse(text)
        scope_hash = _scope_hash(text, (s.lower() for s in subscriptions), (g.lower() for g in groups))
        offset = skip if skip is not None else (_token_offset(token, scope_hash) if token else 0)

        total, page = self._page(query, subscriptions, groups, offset, top)

        answer: dict[str, Any] = {"totalRecords": total, "count": len(page), "resultTruncated": "false"}
        if offset + top < total:
            answer["$skipToken"] = _skip_token(offset + top, scope_hash)
        answer["data"] = page
        answer["facets"] = []
        return Response(200, answer)

    def _page(self, query: Query, subscriptions: list[str], groups: list[str], offset: int,
              top: int) -> tuple[int, list[dict[str, Any]]]:
        """(total rows, the page's rows) of a parsed query in its scope; unknown management groups
        are refused."""
        with self.store.lock:
            data = self.store.data
            for group in groups:
                if not group_exists(data, group):
                    raise _bad("ManagementGroupNotFound", f"The management group '{group}' was not found.")
            scope: set[str] | None = None
            if subscriptions or groups:
                scope = {s.lower() for s in subscriptions} | subscriptions_under(data, groups)
            if query.kind == "subscriptions":
                subs = sorted(scope if scope is not None else known_subscriptions(data))
                total = len(subs)
                page: list[dict[str, Any]] = [{"subscriptionId": s} for s in subs[offset:offset + top]]
            elif query.kind in ("zones", "links", "networks", "addresses", "rulesets", "inbound"):
                if query.kind in ("rulesets", "inbound"):
                    rows = resolver_rows(data, query.kind, scope)
                elif query.kind == "addresses":
                    endpoints = self._history.view(data["privateEndpoints"], self._clock(), self._lag())
                    rows = address_rows(endpoints, scope)
                else:
                    rows = resource_rows(data, query.kind, scope)
                total = len(rows)
                page = rows[offset:offset + top]
            else:
                lag = self._lag()
                endpoints = self._history.view(data["privateEndpoints"], self._clock(), lag)
                matched = matching_endpoints(endpoints, query, scope)
                total = len(matched)
                page = [endpoint_row(lid, pe) for lid, pe in matched[offset:offset + top]]
        return total, page
