"""``GET /metrics``: this process's Prometheus metrics (``auction_service/metrics.py``).

Operational, not part of the public API: left out of the OpenAPI document, and meant to be scraped per
process on its own port, not through the public reverse proxy (``docs/operations.md``). With
``AUCTION_METRICS=0`` it answers 404 in the usual error envelope.
"""

from __future__ import annotations

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.responses import Response

from ..metrics import measure
from .deps import ServicesDep
from .errors import error_response

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
async def metrics(svc: ServicesDep) -> Response:
    """The Prometheus text exposition of every metric of this process."""
    if not (svc.settings.metrics and measure.on):
        return error_response(404, "not_found", "metrics are off in this process (AUCTION_METRICS=0)")
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
