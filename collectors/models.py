"""Every table of collectors/, for Alembic and the test schema."""

from collectors.invoices import models as invoices
from collectors.scraping import models as scraping
from collectors.telemetry import models as telemetry

__all__ = ["invoices", "scraping", "telemetry"]
