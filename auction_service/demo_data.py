"""Demo accounts for ``serve --demo``: the courts' clerks and three bidders a visitor can log in as.

Service-side administration only. Everything else the demo shows (lots, auctions in every state, their
bid records, the live market) is made by the market simulator through the public API, wired in by the
command line (``auction_cli/demo.py``): nothing here is hand-written history.
"""

from __future__ import annotations

from sqlalchemy import func, select

from .core import accounts, eligibility
from .core.services import Services
from .db.models import Lot

STAFF = [("深圳市中级人民法院", "clerk", "clerk-demo-pass"), ("广州市中级人民法院", "clerk-gz", "clerk-demo-pass")]
# Real names and identity numbers (made up, with valid check characters): the contract knows bidders by
# real name, one account per number.
HUMAN_BIDDERS = [
    ("bidder1", "王小明", "440305199001010018"),
    ("bidder2", "李华", "440305199202020028"),
    ("bidder3", "陈静", "44030519940303002X"),
]
BIDDER_PASSWORD = "demo-pass-123"
# Where the demo's courts sit and their level, as court reports group statistics (``court_regions``).
COURT_REGIONS = {
    "深圳市中级人民法院": {"province": "广东省", "city": "深圳市", "level": "intermediate"},
    "广州市中级人民法院": {"province": "广东省", "city": "广州市", "level": "intermediate"},
}


def welcome(base_url: str) -> str:
    """How to use the demo (printed once it is seeded)."""
    return (
        f"\nDemo ready: open {base_url}/ in a browser\n"
        f"  bidders: {', '.join(u for u, _, _ in HUMAN_BIDDERS)} (password {BIDDER_PASSWORD})\n"
        f"  court staff: {STAFF[0][1]} / {STAFF[0][2]} ({STAFF[0][0]})"
    )


async def has_lots(services: Services) -> bool:
    async with services.read_sessions() as session:
        return (await session.execute(select(func.count()).select_from(Lot))).scalar_one() > 0


async def seed_accounts(services: Services) -> None:
    """The demo's courts (their province, city and level set on every start, so an older demo database
    gets them too), clerks and human bidders (kept if they are there already)."""
    async with services.write_sessions() as session:
        clock = services.clock
        for court_name, username, password in STAFF:
            court = await accounts.get_or_create_court(session, clock, court_name, **COURT_REGIONS[court_name])
            if await accounts.account_by_username(session, username) is None:
                await accounts.create_account(
                    session, clock, username=username, password=password, real_name="书记员", role="staff",
                    court_id=court.id,
                )  # fmt: skip
        for username, real_name, id_number in HUMAN_BIDDERS:
            if await accounts.account_by_username(session, username) is None:
                await accounts.create_account(
                    session, clock, username=username, password=BIDDER_PASSWORD, real_name=real_name, role="bidder",
                    id_number_hash=await eligibility.hash_id_number(session, id_number),
                )  # fmt: skip
        await session.commit()
