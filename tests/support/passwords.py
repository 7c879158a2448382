"""A cheap password hasher for the suite: argon2id at its minimum cost (8 KiB, one pass), ~0.05 ms a hash
instead of the service's ~30-40 ms (``auction_service/core/security.py``: ``ARGON2``). The hashes are real
argon2id strings, so either hasher verifies the other's. ``tests/conftest.py`` puts it in force for the
whole session; ``tests/api/test_passwords.py`` logs in with the production hasher.

Services the suite starts as child processes (``auction-service serve``, the CLI) keep the production
hasher: they log in few accounts."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

CHEAP_HASHER = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
