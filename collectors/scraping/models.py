"""Tables of the scraping collector."""
