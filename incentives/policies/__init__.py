"""Shipped policy files (data; a package so that wheels carry the YAML)."""
