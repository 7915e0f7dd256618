"""The clauses as pure functions: plain facts in, awards, rejections and exclusions out."""

from incentives.rules.compute_voucher import compute_voucher
from incentives.rules.computing_center_build import computing_center_build
from incentives.rules.identifier_node import identifier_node

__all__ = ["compute_voucher", "computing_center_build", "identifier_node"]
