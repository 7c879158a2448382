"""Fan-out of live events across service processes through Redis pub/sub (to be completed)."""

from __future__ import annotations

from .bus import EventBus


class RedisBus(EventBus):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    async def start(self) -> None:
        raise NotImplementedError("Redis fan-out is not implemented yet")

    async def stop(self) -> None:
        return None
