"""Collectors: telemetry."""
