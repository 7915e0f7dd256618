"""Settings from flags or INCENTIVES_* environment variables, validated at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine.url import make_url

from collectors.scraping.networks import DEFAULT_DENIED, Network, parse_networks
from registry.db import default_database_url


class SettingsError(Exception):
    """A setting is wrong; the message names it."""


class Settings(BaseSettings):
    """Everything the service can be told at start."""

    model_config = SettingsConfigDict(env_prefix="INCENTIVES_", extra="forbid", frozen=True)

    database_url: str = Field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    max_body_mb: int = Field(200, ge=1, le=4096, description="largest request body, in MiB")
    scheduler: bool = Field(True, description="run scheduled jobs in this process")
    timezone: str = "Asia/Shanghai"
    telemetry_retention_days: int = Field(90, ge=1, le=3650)
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    scrape_deny: str = Field(
        DEFAULT_DENIED,
        description="comma-separated CIDRs exporter scraping never connects to",
    )

    notice_days: int = Field(5, ge=0, le=365, description="public notice (公示) period")
    voucher_grace_days: int = Field(90, ge=0, le=3650, description="after a voucher year")
    policy_files: str = Field("", description="comma-separated extra policy files")

    @field_validator("policy_files")
    @classmethod
    def _policy_files(cls, value: str) -> str:
        for name in _paths(value):
            if not name.is_file():
                raise ValueError(f"no such policy file: {name}")
        return value

    @property
    def policy_paths(self) -> tuple[Path, ...]:
        """The extra policy files beside the shipped one."""
        return _paths(self.policy_files)

    @field_validator("scrape_deny")
    @classmethod
    def _networks(cls, value: str) -> str:
        try:
            parse_networks(value)
        except ValueError as exc:
            raise ValueError(f"not a list of CIDRs: {exc}") from None
        return value

    @property
    def scrape_denied_networks(self) -> tuple[Network, ...]:
        """The parsed networks of scrape_deny."""
        return parse_networks(self.scrape_deny)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        try:
            url = make_url(value)
        except Exception:
            raise ValueError(f"not a database URL: {value!r}") from None
        if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError(
                "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB, "
                f"not {url.drivername!r}"
            )
        return value

    @property
    def max_body_bytes(self) -> int:
        """The request-size limit in bytes."""
        return self.max_body_mb * 1024 * 1024


def _paths(value: str) -> tuple[Path, ...]:
    return tuple(Path(p.strip()) for p in value.split(",") if p.strip())


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and overrides, or fail naming the bad setting."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            name = ".".join(str(p) for p in err["loc"])
            lines.append(f"INCENTIVES_{name.upper()}: {err['msg']}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None


def project_root() -> Path:
    """Where var/ lives: the current directory."""
    return Path.cwd()
