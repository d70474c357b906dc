"""Progress events between a Dask worker and the parent as JSON: the event's class by name ("module:Class", as
items name their functions) and its fields through the typed codec, so a message is data, never code."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..codec import from_json, to_json
from .items import ItemFailed, resolve


def event_to_wire(event: Any) -> str:
    kind = type(event)
    return json.dumps({"type": f"{kind.__module__}:{kind.__qualname__}", "fields": to_json(event)})


def event_from_wire(text: str) -> Any:
    """The event again; refuses anything but a dataclass named by module and class."""
    data = json.loads(text)
    kind = resolve(data["type"])
    if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
        raise ItemFailed(f"a worker sent an event of an unknown kind: {data['type']!r}")
    return from_json(kind, data["fields"], "event")
