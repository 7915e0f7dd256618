"""incentives package."""
