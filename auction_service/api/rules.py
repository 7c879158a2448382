"""The rules in force and a lot's next round: public, so a client never keeps its own copy of the rules
(``contract/rules.py``)."""

from __future__ import annotations

from fastapi import APIRouter

from ..contract.rules import NextRoundAnswer, Rules, next_round_json, rules_json
from ..core import round_plans
from .deps import ReadSession, ServicesDep
from .responses import NO_LOT, answers
from .schemas import Id

router = APIRouter(prefix="/api/v1", tags=["rules"])


@router.get("/rules", **answers(Rules))
async def read_rules(svc: ServicesDep) -> dict:
    """The rule profile the service runs (``judicial-2016`` or ``sandbox``) and every quantity of it a
    client needs: price floors, deposit bounds, announcement periods per category and round, the soft
    close, the relisting window, the fixed-price sale's terms."""
    return rules_json(svc.profile)


@router.get("/lots/{lot_id}/next-round", **answers(NextRoundAnswer, errors=NO_LOT))
async def read_next_round(lot_id: Id, session: ReadSession, svc: ServicesDep) -> dict:
    """The round the lot's next auction would be now and the bounds its listing must keep, computed by the
    rules that judge ``POST /lots/{id}/auctions``; ``blocked`` names the refusal when none may be
    scheduled (an auction still open, the lot sold or concluded)."""
    found = await round_plans.next_round(session, svc, lot_id)
    return next_round_json(found.lot_id, found.next)
