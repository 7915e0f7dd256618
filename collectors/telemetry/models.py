"""Tables of the telemetry collector."""
