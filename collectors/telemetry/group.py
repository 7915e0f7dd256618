"""A group of batches as arrays: the rows a COPY sends in key order, and their roll-ups.

numpy does per sample what Python loops did (sorting, the binary COPY rows, the roll-up
fold); Python works once per series, per distinct time and per roll-up row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from operator import itemgetter
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from collectors.telemetry.columns import EPOCH, MICROSECOND, Columns
from collectors.telemetry.partitions import DAY_US

Ints = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
# One row of PostgreSQL's binary COPY of (series_id bigint, sampled_us bigint, value float8):
# the field count, then each field's length and big-endian value.
ROW = np.dtype(
    [("fields", ">i2"), ("n1", ">i4"), ("series_id", ">i8"), ("n2", ">i4"),
     ("sampled_us", ">i8"), ("n3", ">i4"), ("value", ">f8")]
)  # fmt: skip
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
COPY_TRAILER = b"\xff\xff"
# A day's ordinal fits in 22 bits: the roll-up key is (centre and metric) * 2**22 + day.
DAY_BITS = 22
CENTRE_AND_METRIC = itemgetter(0, 1)


@dataclass(frozen=True)
class Group:
    """The samples of several batches, in the order given, with their key order."""

    series_id: Ints
    micros: Ints
    value: Floats  # NaN where the value is None
    values: list[float | None]  # as given: None is NaN, stored as NULL
    pair: Ints  # index of the sample's (centre id, metric) in pairs
    pairs: list[tuple[int, str]]
    number: Ints  # the sample's batch, 0 for the first
    order: Ints  # indexes in key order (series id, time)

    @classmethod
    def of(cls, batches: Sequence[Columns], series_ids: Sequence[Sequence[int]]) -> Group:
        """The group of these batches, with the ids of each batch's series."""
        pairs: dict[tuple[int, str], int] = {}
        ids: list[Ints] = []
        pair: list[Ints] = []
        for batch, of_series in zip(batches, series_ids, strict=True):
            slot = np.array(batch.slot, dtype=np.int64)
            ids.append(np.array(of_series, dtype=np.int64)[slot])
            # Each series' centre and metric, numbered in the group: what roll-ups fold by.
            keys = list(map(CENTRE_AND_METRIC, batch.series))
            for key in dict.fromkeys(keys):
                if key not in pairs:
                    pairs[key] = len(pairs)
            pair.append(np.array([pairs[key] for key in keys], dtype=np.int64)[slot])
        series_id = np.concatenate(ids)
        micros = np.array(list(chain.from_iterable(b.micros for b in batches)), dtype=np.int64)
        values = list(chain.from_iterable(b.value for b in batches))
        number = np.repeat(np.arange(len(batches)), [len(b) for b in batches])
        return cls(
            series_id=series_id,
            micros=micros,
            value=np.array(values, dtype=np.float64),  # None becomes NaN
            values=values,
            pair=np.concatenate(pair),
            pairs=list(pairs),
            number=number,
            order=np.lexsort((micros, series_id)),
        )

    def days(self) -> set[int]:
        """The UTC days (of the daily partitions) the samples fall in."""
        return set(np.unique(self.micros // DAY_US).tolist())

    def repeats(self) -> bool:
        """Whether a key (series, time) comes twice in the group."""
        ids, micros = self.series_id[self.order], self.micros[self.order]
        return bool(np.any((ids[1:] == ids[:-1]) & (micros[1:] == micros[:-1])))

    def first_keys(self) -> BoolArray:
        """Which samples are the first of their key (series, time) in the order given."""
        ids, micros = self.series_id[self.order], self.micros[self.order]
        first = np.ones(len(ids), dtype=bool)
        first[1:] = (ids[1:] != ids[:-1]) | (micros[1:] != micros[:-1])
        # lexsort is stable: of equal keys, the one given first comes first.
        out = np.zeros(len(ids), dtype=bool)
        out[self.order[first]] = True
        return out

    def subset(self, keep: BoolArray) -> Group:
        """The samples marked, in the order given."""
        series_id, micros = self.series_id[keep], self.micros[keep]
        return Group(
            series_id=series_id,
            micros=micros,
            value=self.value[keep],
            values=list(compress(self.values, keep.tolist())),
            pair=self.pair[keep],
            pairs=self.pairs,
            number=self.number[keep],
            order=np.lexsort((micros, series_id)),
        )

    def binary_copy(self) -> memoryview | None:
        """The rows in key order as binary COPY data; None if a value is NULL."""
        if None in self.values:
            return None
        rows = np.empty(len(self.order), dtype=ROW)
        rows["fields"] = 3
        rows["n1"] = rows["n2"] = rows["n3"] = 8
        rows["series_id"] = self.series_id[self.order]
        rows["sampled_us"] = self.micros[self.order]
        rows["value"] = self.value[self.order]
        # A memoryview: the driver would take bytes for a file name.
        return memoryview(b"".join((COPY_HEADER, rows.tobytes(), COPY_TRAILER)))

    def records(self) -> list[tuple[int, int, float | None]]:
        """The rows in key order as tuples, None kept for NULL."""
        order = self.order.tolist()
        values = self.values
        return list(
            zip(
                self.series_id[self.order].tolist(),
                self.micros[self.order].tolist(),
                [values[i] for i in order],
                strict=True,
            )
        )

    def in_order(self) -> tuple[list[int], list[int], list[float | None], list[int]]:
        """Series ids, times, values and batch numbers in the order given."""
        return (
            self.series_id.tolist(),
            self.micros.tolist(),
            self.values,
            self.number.tolist(),
        )

    def rollups(self, tz: ZoneInfo) -> list[str] | None:
        """Every sample folded into its centre's, metric's and local day's roll-up row.

        The rows as the nine array literals `upsert_rollups` takes (centre, metric, day's
        ordinal, minimum, maximum, total, count, last time in microseconds, last value), in key
        order, so concurrent writers lock them in one order; None when there is none. Finite
        values only: NaN and infinities would poison sums and means.
        """
        finite = np.isfinite(self.value)
        value, micros, pair = self.value[finite], self.micros[finite], self.pair[finite]
        if not len(value):
            return None
        times, at = np.unique(micros, return_inverse=True)
        days = np.array(
            [(EPOCH + us * MICROSECOND).astimezone(tz).toordinal() for us in times.tolist()],
            dtype=np.int64,
        )
        # Pairs ranked in (centre id, metric) order: the keys sort as the rows must.
        pairs = sorted(range(len(self.pairs)), key=self.pairs.__getitem__)
        rank = np.empty(len(pairs), dtype=np.int64)
        rank[pairs] = np.arange(len(pairs))
        keys, group = np.unique((rank[pair] << DAY_BITS) | days[at], return_inverse=True)
        size = len(keys)
        count = np.bincount(group, minlength=size)
        # Summed in the order given, as adding one sample after another would.
        total = np.bincount(group, weights=value, minlength=size)
        low = np.full(size, np.inf)
        np.minimum.at(low, group, value)
        high = np.full(size, -np.inf)
        np.maximum.at(high, group, value)
        last_us = np.full(size, np.iinfo(np.int64).min)
        np.maximum.at(last_us, group, micros)
        # The value at the latest time; several series at that instant: the greatest.
        latest = micros == last_us[group]
        last = np.full(size, -np.inf)
        np.maximum.at(last, group[latest], value[latest])
        ranked = [self.pairs[i] for i in pairs]
        of_row = [ranked[r] for r in (keys >> DAY_BITS).tolist()]
        return [
            array_literal(str(c) for c, _ in of_row),
            array_literal(_quoted(m) for _, m in of_row),
            array_literal(map(str, (keys & ((1 << DAY_BITS) - 1)).tolist())),
            array_literal(map(repr, low.tolist())),
            array_literal(map(repr, high.tolist())),
            array_literal(map(repr, total.tolist())),
            array_literal(map(str, count.tolist())),
            array_literal(map(str, last_us.tolist())),
            array_literal(map(repr, last.tolist())),
        ]


def array_literal(items: Iterable[str]) -> str:
    """A PostgreSQL array literal; repr() of a float reads back as the same float."""
    return "{" + ",".join(items) + "}"


def _quoted(text: str) -> str:
    """One element of an array literal, whatever the text: quoted, backslashes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
