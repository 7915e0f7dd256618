"""Award statements: runs that recompute and settle, and what officials read of them."""
