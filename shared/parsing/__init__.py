"""Outside input (Event Grid deliveries, ARM bodies, replay requests, files) into core values, with
one-line errors. pydantic lives here (and in shared.settings) only."""
