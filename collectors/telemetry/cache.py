"""Caches of pushed series, bounded in bytes and lent to one parse at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K")
V = TypeVar("V")

# Approximate bytes of an entry beyond its characters: dict slots, tuples, object headers.
ENTRY_OVERHEAD = 200


class SizedCache(LRUCache[K, V], Generic[K, V]):
    """An LRU cache bounded by the approximate bytes of its entries, not by their number."""

    def __init__(self, max_bytes: int, chars_of: Callable[[K, V], int]) -> None:
        # cachetools sizes values only; ours are sized with their keys, just before storing.
        super().__init__(max_bytes, getsizeof=lambda _value: self._storing)
        self._chars_of = chars_of
        self._storing = 0

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        # Mapping.get goes through __contains__ and __getitem__: twice the work on a hit,
        # and a hit per pushed sample is the common case.
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: K, value: V) -> None:
        size = 2 * self._chars_of(key, value) + ENTRY_OVERHEAD  # up to 2 bytes a character
        if size > self.maxsize:
            return  # too big to keep: it is parsed again next time
        self._storing = size
        super().__setitem__(key, value)


class LentCache(Generic[K, V]):
    """A cache one parse at a time may use; a parse that finds it lent out does without.

    Large pushes are parsed in worker threads and an LRU's reads reorder it, so two threads
    must never use it at once. Waiting would cost more than parsing without it, and a parse
    is correct either way.
    """

    def __init__(self, cache: SizedCache[K, V]) -> None:
        self.cache = cache
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self) -> Iterator[MutableMapping[K, V]]:
        """The shared cache if free, else an empty private one."""
        if not self._lock.acquire(blocking=False):
            yield {}
            return
        try:
            yield self.cache
        finally:
            self._lock.release()

    @property
    def size(self) -> int:
        """Approximate bytes held."""
        return int(self.cache.currsize)

    @property
    def max_bytes(self) -> int:
        """The bound of `size`."""
        return int(self.cache.maxsize)
