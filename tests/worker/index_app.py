"""Index a function app with the Functions Python worker's own code, as Azure's worker does at start.

Run by tests/worker/test_worker_indexing.py with the interpreter of the worker venv (Python 3.13 with
azure-functions-runtime and the app's requirements, built by `make test`), never imported by the
suite itself:

    .venv/functions-worker/bin/python tests/worker/index_app.py <app directory>

It answers the host's WorkerInitRequest through `azure_functions_runtime.handle_event` (which loads
the binding registry and indexes `function_app.py` with `loader.index_function_app` and
`process_indexed_function`, checking every parameter's type against its binding) and then the
FunctionsMetadataRequest, and prints one JSON object: the status, the indexed functions with their
raw bindings, and how the worker's registered Event Grid converter decodes one delivery of each schema.

The protobuf messages themselves come from the host's gRPC contract and are not on PyPI; small
stand-ins hold their fields (the enum values are the protobuf ones).
"""

from __future__ import annotations

import asyncio
import json
import sys
import types
from importlib import metadata


class _Message:
    def __init__(self, **fields):
        self.__dict__.update(fields)


def _message(name: str, **constants) -> type:
    return type(name, (_Message,), constants)


PROTOS = types.SimpleNamespace(
    BindingInfo=_message("BindingInfo", in_=0, out=1, inout=2, undefined=0, string=1, binary=2, stream=3),
    RpcFunctionMetadata=_message("RpcFunctionMetadata"),
    RpcRetryOptions=_message("RpcRetryOptions"),
    WorkerInitResponse=_message("WorkerInitResponse"),
    StatusResult=_message("StatusResult", Failure=0, Success=1, Cancelled=2),
    WorkerMetadata=_message("WorkerMetadata"),
    RpcException=_message("RpcException"),
    FunctionMetadataResponse=_message("FunctionMetadataResponse"),
)

EVENT_GRID = {
    "id": "1", "topic": "/subscriptions/00000000-0000-4000-8000-0000000000b1",
    "subject": "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe",
    "eventType": "Microsoft.Resources.ResourceWriteSuccess", "eventTime": "2026-01-01T00:00:00Z",
    "data": {"operationName": "Microsoft.Network/privateEndpoints/write"}, "dataVersion": "2", "metadataVersion": "1",
}
CLOUD_EVENT = {
    "specversion": "1.0", "id": "2", "source": EVENT_GRID["topic"], "subject": EVENT_GRID["subject"],
    "type": "Microsoft.Resources.ResourceWriteSuccess", "time": "2026-01-01T00:00:00Z", "data": EVENT_GRID["data"],
}


def main(app_dir: str) -> dict:
    sys.path.insert(0, app_dir)  # as the worker runs the app: its directory first on sys.path
    from azure_functions_runtime import handle_event
    from azure_functions_runtime.bindings import meta

    init = types.SimpleNamespace(capabilities={}, function_app_directory=app_dir)
    request = types.SimpleNamespace(request=types.SimpleNamespace(worker_init_request=init),
                                    properties={"host": "127.0.0.1", "protos": PROTOS})
    answer = asyncio.run(handle_event.worker_init_request(request))
    out: dict = {
        "python": "%d.%d.%d" % sys.version_info[:3],
        "azure_functions": metadata.version("azure-functions"),
        "azure_functions_runtime": metadata.version("azure-functions-runtime"),
        "status": "Success" if answer.result.status == PROTOS.StatusResult.Success else "Failure",
        "error": getattr(getattr(answer.result, "exception", None), "message", None),
        "functions": [],
        "decoded": {},
    }
    if out["status"] != "Success":
        return out
    listed = asyncio.run(handle_event.functions_metadata_request(request))
    for function in listed.function_metadata_results or []:
        out["functions"].append({
            "name": function.name,
            "entry_point": function.entry_point,
            "script_file": function.script_file,
            "bindings": [json.loads(raw) for raw in function.raw_bindings],
            "indexed_by_worker": function.properties.get("worker_indexed") == "True",
        })
    converter = meta.get_binding("eventGridTrigger")
    from azure.functions import meta as azf_meta

    for schema, body in (("eventgrid", EVENT_GRID), ("cloudevents", CLOUD_EVENT)):
        decoded = converter.decode(azf_meta.Datum(json.dumps(body), "json"), trigger_metadata={})
        out["decoded"][schema] = {
            "class": type(decoded).__name__,
            "event_type": getattr(decoded, "event_type", None) or getattr(decoded, "type", None),
            "subject": getattr(decoded, "subject", None),
        }
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
