"""The emulator's state: resources by lower-cased resource id, optionally persisted to JSON."""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

#: Collections of resources, each a dict from lower-cased resource id to the resource as ARM
#: answers it (plus private keys starting with "_", never sent). `managementGroups` holds the
#: groups (not the tenant root group, which always exists) and `subscriptionParents` where each
#: placed subscription sits, by lower-cased subscription id; `resourceGroups` the resource groups
#: (`/subscriptions/{s}/resourcegroups/{rg}`); `resolvers` DNS Private Resolver's resources of every type
#: (`_resolvers`). A state file written before a kind existed loads it empty.
KINDS = ("privateEndpoints", "zoneGroups", "zones", "links", "recordSets", "managementGroups", "subscriptionParents",
         "virtualNetworks", "networkInterfaces", "resourceGroups", "resolvers")

FORMAT = 1


class Store:
    """In-memory resources behind one lock; every change is written out atomically when a file is set."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.lock = threading.RLock()
        self.path = Path(path) if path else None
        self.data: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        if self.path and self.path.exists():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            raise ValueError(f"{self.path}: not an emulator state file (format {raw.get('format')!r})")
        for kind in KINDS:
            self.data[kind] = dict(raw.get(kind, {}))

    def save(self) -> None:
        """Write the state atomically (temp file in the same folder, then rename)."""
        if self.path is None:
            return
        with self.lock:
            payload = {"format": FORMAT, **self.data}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(payload, fh, indent=1, sort_keys=True)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
                raise

    def children(self, kind: str, prefix: str) -> list[dict[str, Any]]:
        """The resources of one collection directly under `prefix` (a lower-cased id ending in "/"),
        sorted by id. Call with the lock held."""
        items = [(lid, r) for lid, r in self.data[kind].items() if lid.startswith(prefix) and "/" not in lid[len(prefix):]]
        return [r for _, r in sorted(items)]

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        with self.lock:
            return copy.deepcopy(self.data)
