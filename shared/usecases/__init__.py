"""What pedns does, one use case a module, through the core's ports: never an adapter, an observer or the settings."""
