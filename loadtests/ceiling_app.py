"""The ceiling for the benchmarks: a minimal FastAPI POST endpoint returning JSON, served with the same
uvicorn settings as the service (uvloop + httptools, one worker).

    .venv/bin/python -m uvicorn loadtests.ceiling_app:app --loop uvloop --http httptools --port 8090
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

app = FastAPI()


class BidIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    amount: int


@app.post("/api/v1/auctions/{auction_id}/bids", status_code=201)
async def bid(auction_id: int, body: BidIn) -> dict:
    return {"auction_id": auction_id, "amount": body.amount, "seq": 1}
