"""A stand-in for the Functions host's Python worker, for tests and the demo.

Core Tools cannot be installed here (its npm package downloads the host from a CDN), so this
invokes the app's *registered* functions the way the worker does: an Event Grid delivery is
split into events, each decoded by azure-functions' own `EventGridEventInConverter` and passed
to the function; an HTTP call becomes a real `func.HttpRequest`; a timer a `TimerRequest` and a
queue message a `func.QueueMessage`, each with `Output`s for the function's output bindings (what
it `set` is what the host would write once it returns). An exception from a function means the host
reports failure, so Event Grid would redeliver (or the queue dequeue the message again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from azure.functions import meta
from azure.functions.decorators.core import BindingDirection
from azure.functions.eventgrid import EventGridEventInConverter


@dataclass(frozen=True)
class Invocation:
    event_id: str
    ok: bool
    error: BaseException | None = None


class FunctionsHost:
    def __init__(self, app: func.FunctionApp) -> None:
        # get_functions() may be called once per app instance: cache what it returns.
        functions = app.get_functions()
        self.functions = {f.get_function_name(): f.get_user_function() for f in functions}
        #: each function's output bindings other than an HTTP response (argument names)
        self.outputs = {f.get_function_name(): [b.name for b in f.get_bindings()
                                                if BindingDirection(b.direction) is BindingDirection.OUT and b.name != "$return"]
                        for f in functions}

    def deliver(self, body: bytes | str | list[Any] | dict[str, Any], function: str = "events") -> list[Invocation]:
        """POST an Event Grid delivery (Event Grid schema array, or CloudEvents object/array)."""
        events = json.loads(body) if isinstance(body, (bytes, str)) else body
        if isinstance(events, dict):
            events = [events]
        results = []
        for element in events:
            decoded = EventGridEventInConverter.decode(meta.Datum(json.dumps(element), "json"), trigger_metadata={})
            try:
                self.functions[function](decoded)
            except Exception as exc:  # noqa: BLE001 - the host would report the invocation as failed
                results.append(Invocation(str(element.get("id", "")), False, exc))
            else:
                results.append(Invocation(str(element.get("id", "")), True))
        return results

    def http(self, function: str, *, method: str = "POST", body: bytes | str | Any = b"",
             route: str = "", headers: dict[str, str] | None = None) -> func.HttpResponse:
        raw = body if isinstance(body, bytes) else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        request = func.HttpRequest(method=method, url=f"https://localhost/api/{route or function}",
                                   headers={"content-type": "application/json", **(headers or {})},
                                   params={}, route_params={}, body=raw)
        return self.functions[function](request)

    def timer(self, function: str, *, past_due: bool = False) -> dict[str, Output]:
        """Run a timer function; returns its output bindings by argument name (what it `set`)."""
        from azure.functions.timer import TimerRequest

        outputs = {name: Output() for name in self.outputs[function]}
        self.functions[function](TimerRequest(past_due=past_due), **outputs)
        return outputs

    def queue(self, function: str, body: bytes | str) -> dict[str, Output]:
        """Deliver one Storage queue message (an exception: the host would dequeue it again later);
        returns its output bindings by argument name."""
        raw = body.encode() if isinstance(body, str) else body
        outputs = {name: Output() for name in self.outputs[function]}
        self.functions[function](func.QueueMessage(id="1", body=raw), **outputs)
        return outputs


class Output(func.Out[Any]):
    """An output binding as the host gives it: what the function `set`, written once it returns."""

    def __init__(self) -> None:
        self.value: Any = None

    def set(self, val: Any) -> None:
        self.value = val

    def get(self) -> Any:
        return self.value
