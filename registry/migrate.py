"""Schema migrations: Alembic driven from code, one linear history across the packages."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from importlib.resources import files

from alembic import command
from alembic.config import Config


def _location(package: str) -> str:
    return str(files(package) / "migrations" / "versions")


def alembic_config(
    url: str,
    packages: Sequence[str] = ("registry",),
) -> Config:
    """An Alembic config over the migrations of the given packages, for the database URL."""
    config = Config()
    config.set_main_option("script_location", str(files("registry") / "migrations"))
    config.set_main_option("version_locations", " ".join(_location(p) for p in packages))
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["model_modules"] = [f"{p}.models" for p in packages]
    return config


def _in_thread(action: Callable[[], None]) -> None:
    # env.py runs its own event loop; a thread keeps that legal inside a running loop too.
    errors: list[BaseException] = []

    def target() -> None:
        try:
            action()
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def upgrade(url: str, packages: Sequence[str] = ("registry",), revision: str = "heads") -> None:
    """Bring the database schema up to a revision (default: every branch's head)."""
    _in_thread(lambda: command.upgrade(alembic_config(url, packages), revision))


def downgrade(url: str, packages: Sequence[str] = ("registry",), revision: str = "base") -> None:
    """Take the database schema down to a revision."""
    _in_thread(lambda: command.downgrade(alembic_config(url, packages), revision))
