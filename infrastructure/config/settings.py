"""The one module that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_ADMIN_TOKEN = 16


class Settings(BaseSettings):
    """Every setting of the service, from `LEDGER_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///ledger.db",
        description="sqlite:///path/to/file.db (default: ledger.db in the working "
        "directory) or postgresql://user[:password]@host[:port]/dbname",
    )
    admin_token: SecretStr | None = Field(default=None, description="Bootstrap admin token")
    require_auth_for_reads: bool = False
    pool_size: int = Field(default=5, ge=1, le=100)
    pool_max_overflow: int = Field(default=10, ge=0, le=100)
    pool_timeout: int = Field(default=1, ge=1, le=60, description="Seconds to wait for a pooled connection")
    relation_cache_size: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description="Relations kept decoded per process; a write starts from its copy, and one another process "
        "overtook is refused by the event store's version key, then reloaded and checked again. "
        "0: rebuild every relation from its events on each write",
    )
    max_body_bytes: int = Field(default=256_000, ge=1024)
    header_limit_bytes: int = Field(
        default=16_384, ge=1024, le=1_048_576, description="A request's line and header fields together; more get 431"
    )
    header_limit_count: int = Field(default=100, ge=10, le=10_000, description="Header fields a request may have")
    request_read_timeout: float = Field(
        default=10, gt=0, le=3600, description="Seconds a client may take to send a whole request; then 408"
    )
    keep_alive_timeout: float = Field(
        default=5, gt=0, le=3600, description="Seconds a connection may wait for its next request, or its first"
    )
    replay_concurrency: int = Field(
        default=2, ge=1, le=1000, description="Replays (mode=replay) one server process computes at once; more get 429"
    )
    auth_failures_per_minute: int = Field(
        default=10, ge=1, le=100_000, description="Failed authentications one address may make a minute, then 429"
    )
    cors_origins: list[str] = Field(default=[], description='JSON list of origins, e.g. ["https://example.org"]')
    log_origin: str = Field(
        default="localhost/recognition-ledger",
        description="The origin line of the log's checkpoints, and the name of its signing key: "
        "a schema-less URL naming this ledger, e.g. ledger.example.org/log",
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="The Ed25519 private key (PEM) that signs checkpoints (`ledger keys create` writes one); "
        "without it checkpoints are served unsigned",
    )
    bench_without_log: bool = Field(
        default=False,
        description="For benchmarks only, to measure what the log costs: writes store no leaves, so "
        "`ledger verify` refuses the ledger they make",
    )
    bench_without_limits: bool = Field(
        default=False,
        description="For benchmarks only, to measure what the limits cost: no header or read limits, "
        "no check of pooled connections after a pause",
    )
    feed_heartbeat_seconds: float = Field(
        default=15, gt=0, le=3600, description="A comment on every feed stream this often"
    )
    feed_lifetime_seconds: float = Field(
        default=1800, gt=0, le=86400, description="A feed stream ends after this long, cleanly; clients reconnect"
    )
    feed_retry_ms: int = Field(default=3000, ge=0, le=600_000, description="The `retry:` a feed stream suggests")
    feed_buffer_events: int = Field(
        default=1000, ge=1, le=1_000_000, description="Records held for one slow feed client before its stream ends"
    )
    feed_send_timeout_seconds: float = Field(
        default=30, gt=0, le=3600, description="A feed client that takes no data this long is let go"
    )
    feed_max_streams: int = Field(default=500, ge=1, le=100_000, description="Feed streams one server process serves")
    feed_max_streams_per_client: int = Field(
        default=20, ge=1, le=100_000, description="Feed streams of one token, or of one address without a token"
    )
    feed_poll_seconds: float = Field(
        default=0.2, gt=0, le=60, description="How often a process looks for new records (PostgreSQL: unless notified)"
    )
    feed_gather_seconds: float = Field(
        default=0.1,
        ge=0,
        le=5,
        description="After handing new records to its streams, a process waits this long before reading more, "
        "so records written meanwhile are sent together (0: each at once)",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("log_origin")
    @classmethod
    def _origin_is_a_name(cls, value: str) -> str:
        if not value or "+" in value or any(c.isspace() for c in value):
            raise ValueError("LEDGER_LOG_ORIGIN needs a character, and no space or '+'")
        return value

    @field_validator("signing_key_file", mode="before")
    @classmethod
    def _blank_key_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admin_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("admin_token")
    @classmethod
    def _admin_token_is_long(cls, value: SecretStr | None) -> SecretStr | None:
        # A short admin token is guessed: 16 characters is the least, `ledger tokens create` makes 46.
        if value is not None and len(value.get_secret_value()) < MIN_ADMIN_TOKEN:
            raise ValueError(f"must be at least {MIN_ADMIN_TOKEN} characters")
        return value

    @property
    def backend(self) -> str:
        scheme = urlsplit(self.database_url).scheme
        if scheme in ("postgresql", "postgres"):
            return "postgres"
        if scheme == "sqlite":
            return "sqlite"
        raise ValueError(f"LEDGER_DATABASE_URL: unsupported scheme {scheme!r} (sqlite or postgresql)")

    @property
    def sqlite_file(self) -> str:
        """The SQLite database's file (or `:memory:` name), from a `sqlite:///…` URL."""
        path = self.database_url[len("sqlite:///") :] if self.database_url.startswith("sqlite:///") else ""
        return path or "ledger.db"

    def eventsourcing_env(self) -> dict[str, str]:
        """The eventsourcing library's own settings, derived from ours."""
        # The library's aggregate cache, fast-forwarded from the store on every get (its default).
        cache = {"AGGREGATE_CACHE_MAXSIZE": str(self.relation_cache_size)} if self.relation_cache_size else {}
        if self.bench_without_log:
            cache = {**cache, "LOG_LEAVES": "no"}  # read by the Ledger, passed on to its writer processes
        if self.backend == "sqlite":
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": self.sqlite_file, **cache}
        url = urlsplit(self.database_url)
        return {
            **cache,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": str(self.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.pool_max_overflow),
            "POSTGRES_CONNECT_TIMEOUT": str(self.pool_timeout),
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "5",
        }


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
