"""The pure core: pedns's vocabulary and rules. Values in, values out: no I/O, no Azure SDK, no pydantic."""
