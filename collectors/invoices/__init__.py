"""Collectors: invoices."""
