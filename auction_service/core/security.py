"""Passwords (argon2 via pwdlib) and signed, expiring access tokens (PyJWT, HS256).

Verifying a token is cached per token string: the bid path must not pay for a signature check on
every request. Entries expire with the token and the cache is bounded.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from auction_rules.errors import RuleViolation, unauthenticated

# OWASP's minimum argon2id setting (19 MiB, t=2): ~30 ms a hash on this machine instead of ~160 ms,
# which matters when a load test logs in hundreds of bidders. The production hasher, always in force
# unless a test suite swaps it (``use_password_hasher``).
ARGON2 = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19_456, parallelism=1),))

_hasher: PasswordHash = ARGON2
_dummy_hash: str | None = None


def use_password_hasher(hasher: PasswordHash) -> PasswordHash:
    """Put ``hasher`` in force for this process and return the one it replaces. Process-wide on purpose:
    the command line (``staff add``, ``simulate``) and the demo data hash passwords without an app. Only
    test suites call it, to hash cheaply (``tests/support/passwords.py``); the service never does."""
    global _hasher, _dummy_hash
    previous, _hasher, _dummy_hash = _hasher, hasher, None
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def dummy_hash() -> str:
    """A hash made by the hasher in force, verified against when the username is unknown so that both
    paths cost the same (no user probing). Made on first use, again after the hasher changes."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not-a-real-password")
    return _dummy_hash


def verify_password(password: str, password_hash: str | None) -> bool:
    """``password_hash`` None (no such account) verifies against ``dummy_hash()`` and is always False."""
    try:
        ok = _hasher.verify(password, password_hash if password_hash is not None else dummy_hash())
    except Exception:
        return False
    return ok and password_hash is not None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the account behind a verified token."""

    account_id: int
    username: str
    role: str  # bidder, staff, admin
    court_id: int | None
    expires_at: float


def unauthorized(message: str = "a valid bearer token is required") -> RuleViolation:
    return unauthenticated("unauthorized", message)


# The largest account id a token may name: the id column's range (a signed 64-bit integer).
MAX_ACCOUNT_ID = 2**63 - 1


def _id_claim(value: object) -> int | None:
    """An id claim: a positive integer within the id column, as an integer or a string of ASCII digits."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ACCOUNT_ID:
        return value
    return None


def _principal_of(claims: dict) -> Principal:
    """The caller a validly signed token names; any claim of the wrong type is 401, never a crash (a
    token signed with a leaked or test key must still not reach the database with a bad id)."""
    account_id = _id_claim(claims.get("sub"))
    court = claims.get("court")
    court_id = _id_claim(court) if court is not None else None
    exp = claims.get("exp")
    if (
        account_id is None
        or (court is not None and court_id is None)
        or not isinstance(claims.get("usr", ""), str)
        or claims.get("role", "bidder") not in ("bidder", "staff", "admin")
        or not isinstance(exp, int | float)
    ):
        raise unauthorized("the token is not valid")
    return Principal(
        account_id=account_id,
        username=claims.get("usr", ""),
        role=claims.get("role", "bidder"),
        court_id=court_id,
        expires_at=float(exp),
    )


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int, cache_size: int = 100_000) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    def issue(self, account_id: int, username: str, role: str, court_id: int | None) -> str:
        now = int(time.time())
        claims = {
            "sub": str(account_id),
            "usr": username,
            "role": role,
            "court": court_id,
            "iat": now,
            "exp": now + self._ttl,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        principal = self._cache.get(token)
        now = time.time()
        if principal is not None:
            if principal.expires_at > now:
                return principal
            self._cache.pop(token, None)
            raise unauthorized("the token has expired; request a new one")
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise unauthorized("the token has expired; request a new one") from None
        except jwt.PyJWTError:
            raise unauthorized("the token is not valid") from None
        principal = _principal_of(claims)
        self._cache[token] = principal
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    def from_header(self, authorization: str | None) -> Principal:
        if not authorization:
            raise unauthorized()
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("use 'Authorization: Bearer <token>'")
        return self.verify(token.strip())
