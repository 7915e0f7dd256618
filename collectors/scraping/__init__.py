"""Collectors: scraping."""
