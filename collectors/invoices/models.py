"""Tables of the invoices collector."""
