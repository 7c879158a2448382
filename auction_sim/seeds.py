"""Random streams derived from a run's seed by stable keys, so every draw of a run comes from its seed
and two variants of a scenario run with the same seed meet the same buyers (common random numbers): a
variant that changes a rule changes what the buyers do, not who they are.

A stream is ``random.Random`` seeded with a hash of ``(seed, *key)`` (BLAKE2b of the key's ``repr``:
stable across processes and Python versions, unlike ``hash``). Keys name the purpose and the thing
(``("buyer", lot, index)``), never an order of draws, so adding a draw elsewhere moves nothing.
"""

from __future__ import annotations

import hashlib
import random


def stream(seed: int, *key: object) -> random.Random:
    """The stream of ``key`` in the run of ``seed``."""
    digest = hashlib.blake2b(repr((seed, *key)).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))
