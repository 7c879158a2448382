"""Service settings, read once from the environment (prefix ``AUCTION_``) and validated at start."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from limits import parse_many
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from auction_rules.errors import RuleViolation
from auction_rules.profiles import RuleProfile
from auction_rules.research import RESEARCH_PREFIX, profile_with

ENV_PREFIX = "AUCTION_"

# The URL schemes the service runs on: SQLAlchemy's async drivers for SQLite and PostgreSQL, and the
# plain spellings that ``db.connection.normalise_url`` turns into them.
DATABASE_SCHEMES = ("sqlite", "sqlite+aiosqlite", "postgresql", "postgres", "postgresql+asyncpg")
DATABASE_URL_EXAMPLES = "sqlite+aiosqlite:///./auction.db or postgresql+asyncpg://postgres@127.0.0.1/auction"


RulesName = Literal["judicial-2016", "sandbox"]
RULES_HELP = "judicial-2016, sandbox or research:<label>"


class Settings(BaseSettings):
    """Everything the service can be configured with; names follow ``docs/api-contract.md``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./auction.db"
    clock_speed: float = Field(default=1.0, gt=0, le=100_000)
    # The rule profile: judicial-2016 (the law), sandbox (no waiting periods), or research:<label>, which
    # applies ``rule_overrides`` (a JSON object, auction_rules/research.py) to ``rules_base``. The law and
    # the sandbox take no override.
    rules: str = "judicial-2016"
    rules_base: RulesName = "sandbox"
    rule_overrides: dict[str, Any] = Field(default_factory=dict)
    redis_url: str | None = None
    # Signing key for access tokens. When unset, one is generated and kept in the database so that
    # every service process on the same database accepts the same tokens.
    secret_key: str | None = None
    token_ttl_seconds: int = Field(default=12 * 3600, gt=0)
    # Durability of SQLite commits: FULL survives power loss, NORMAL survives a killed process (WAL).
    sqlite_synchronous: Literal["FULL", "NORMAL"] = "NORMAL"
    # SQLite's calls on the event loop's own thread instead of aiosqlite's (``db/sqlite_on_loop.py``): only
    # for a process that is its database's only client and serves no one else meanwhile (the in-process
    # simulator); a served service keeps the thread, or one slow statement would stall every request.
    sqlite_on_loop: bool = False
    # Group commit: how long the writer waits for more bids before committing a group (seconds).
    commit_linger_seconds: float = Field(default=0.0, ge=0, le=0.1)
    # Live feed: events of one auction that come within this many milliseconds of the last batch
    # sent to its watchers wait and go together (one write per watcher instead of one per event).
    # An event after a quiet spell goes at once; 0 sends every group of events as it commits.
    feed_batch_ms: float = Field(default=20.0, ge=0, le=1000)
    # Where lot documents' bytes are kept (``core/document_store.py``), outside the database. Unset:
    # ``<name>-documents`` beside a SQLite file; ``./documents`` of the start folder otherwise (set it
    # for PostgreSQL: every process of a database must share the same directory).
    documents_dir: str | None = None
    # The Ed25519 key that signs case files (``core/case_file_key.py``): a PEM file, generated there on
    # first use if missing. Unset: ``case-file-signing-key.pem`` in the documents directory.
    case_file_key: str | None = None
    demo_bots: bool = True
    # The bound on every wait for the database (a connection, a statement, SQLite's lock), in seconds:
    # a hung database answers 503 storage_unavailable within about this long (``db/connection.py``).
    database_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    # Bounds on connections (``live/connection_limits.py``; docs/operations.md has nginx's matching ones).
    max_header_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)  # a request's head: 431 beyond
    max_headers: int = Field(default=100, ge=10, le=10_000)
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)  # the whole head, from its first byte
    body_timeout_seconds: float = Field(default=15.0, gt=0, le=600)  # the longest pause inside a body
    max_connections_per_address: int = Field(default=256, ge=0)  # open HTTP connections per peer; 0: no bound
    max_connections: int = Field(default=0, ge=0)  # all open connections of the process (503 beyond); 0: no bound
    max_websockets_per_address: int = Field(default=100, ge=0)  # open live-feed sockets per client; 0: no bound
    max_websockets_per_account: int = Field(default=20, ge=0)  # authenticated live-feed sockets per account
    # Several processes on one database (``core/bidding/scheduler.py``): every process sweeps the
    # database this often (real seconds) for due openings and closes, and claims one for this long before
    # acting; a process that dies mid-close is taken over once its claim runs out.
    scheduler_sweep_seconds: float = Field(default=2.0, gt=0, le=60)
    scheduler_lease_seconds: float = Field(default=10.0, gt=0, le=600)
    # Prometheus metrics (``GET /metrics``, ``auction_service/metrics.py``); 0 turns every instrument
    # into a no-op and ``/metrics`` into a 404.
    metrics: bool = True
    # Rate limits (``core/rate_limits.py``), each a ``limits`` string ("N/second", "N/minute", several
    # joined by ";"); counted in memory, or on Redis across processes when ``redis_url`` is set.
    # Failed logins per account and per address; sign-ups per address; bids (HTTP and the live feed
    # together) and registrations per bidder; live-feed connections opened per address.
    # The defaults bound floods, not honest use: password guessing is cut at once, while bots, replays of
    # real bid records and load tests (thousands of bidders signed up from one address, each registering
    # for a hundred auctions) meet a limit only beyond 100 bids or registrations a second per bidder,
    # a rate no person reaches. A public deployment may set tighter values (docs/reliability.md).
    rate_limits: bool = True  # off only for synthetic runs that measure something else; never in serve
    rate_limit_login_account: str = "10/minute"  # failed, per account from one address: locks that pair
    rate_limit_login_address: str = "60/minute"  # failed, per address: slows the address down
    rate_limit_login_attempts_address: str = "100/second;3000/minute"  # every login, before the hash
    rate_limit_login_attempts_account: str = "30/minute"  # every login; refuses addresses that failed on it
    # Password hashing (argon2) runs on this many threads of its own, at most ``password_hash_queue``
    # logins and sign-ups waiting for them (beyond, 429): logins cannot take the CPU from the bid path.
    password_hash_workers: int = Field(default=1, ge=1, le=32)
    password_hash_queue: int = Field(default=64, ge=1, le=10_000)
    rate_limit_sign_up: str = "10000/hour"
    rate_limit_bids: str = "100/second"
    rate_limit_registrations: str = "100/second"
    rate_limit_live_connections: str = "300/minute"

    @field_validator(
        "rate_limit_login_account", "rate_limit_login_address", "rate_limit_login_attempts_address",
        "rate_limit_login_attempts_account", "rate_limit_sign_up", "rate_limit_bids",
        "rate_limit_registrations", "rate_limit_live_connections",
    )  # fmt: skip
    @classmethod
    def _rate_limit(cls, spec: str) -> str:
        """A limit the ``limits`` library reads ("25/second", "10/minute;100/hour"), checked at start."""
        try:
            parse_many(spec)
        except ValueError:
            raise ValueError('write a limit like "25/second" or "10/minute;100/hour"') from None
        return spec

    @field_validator("rules")
    @classmethod
    def _rules_name(cls, name: str) -> str:
        if name not in ("judicial-2016", "sandbox") and not name.startswith(RESEARCH_PREFIX):
            raise ValueError(f"choose {RULES_HELP}")
        return name

    @field_validator("rule_overrides")
    @classmethod
    def _overrides(cls, overrides: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """The whole research profile is built once at start, so a wrong key or value stops ``serve``."""
        name = info.data.get("rules")
        if name is None:  # the name itself was refused
            return overrides
        try:
            profile_with(name, overrides, base=info.data.get("rules_base", "sandbox"))
        except RuleViolation as exc:
            raise ValueError(exc.message) from None
        return overrides

    def profile(self) -> RuleProfile:
        """The rule profile in force (validated at start)."""
        return profile_with(self.rules, self.rule_overrides, base=self.rules_base)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        """Refuse at start a database the service cannot run on (a ``mysql://`` URL, a typo), instead of
        failing later inside SQLAlchemy. Only the scheme is echoed: the URL may hold a password."""
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        if scheme not in DATABASE_SCHEMES:
            shown = f"{scheme!r} databases are" if scheme else "a URL without a scheme is"
            raise ValueError(f"{shown} not supported; use {DATABASE_URL_EXAMPLES}")
        try:
            make_url(url)
        except (ArgumentError, ValueError):
            raise ValueError(f"cannot be read as a database URL; use {DATABASE_URL_EXAMPLES}") from None
        return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def describe_settings_error(exc: ValidationError) -> str:
    """One line naming each bad setting by its environment variable, what it holds and what it should
    hold (the command line prints this instead of pydantic's multi-line report)."""
    problems = []
    for error in exc.errors(include_url=False):
        field = str(error["loc"][0]) if error["loc"] else ""
        name = f"{ENV_PREFIX}{field.upper()}"
        message = str(error["msg"]).removeprefix("Value error, ")
        given = error.get("input")
        shown = "" if field in ("database_url", "secret_key", "redis_url") or given is None else f"={given!r}"
        problems.append(f"{name}{shown}: {message}")
    return "; ".join(problems)
