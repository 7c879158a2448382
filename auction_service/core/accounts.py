"""Accounts: bidders sign up over the API; staff and admins are created from the command line."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules import eligibility as ruled_eligibility
from auction_rules.errors import refused, unauthenticated

from ..clock import Clock
from ..db.connection import Database
from ..db.models import Account, Court, ServiceSecret
from . import court_regions, eligibility, password_pool
from .security import Principal, hash_password, verify_password
from .views import AccountView


async def create_account(
    session: AsyncSession,
    clock: Clock,
    *,
    username: str,
    password: str,
    real_name: str,
    role: str,
    court_id: int | None = None,
    id_number_hash: str | None = None,
) -> Account:
    """An account (409 ``username_taken``; 409 ``id_number_taken`` for an identity number another
    account holds: one account per person)."""
    password_hash = await password_pool.run(hash_password, password)
    account = Account(
        username=username,
        password_hash=password_hash,
        role=role,
        real_name=real_name,
        court_id=court_id,
        created_at=clock.now(),
        id_number_hash=id_number_hash,
    )
    try:
        async with session.begin_nested():
            session.add(account)
    except IntegrityError:
        if id_number_hash is not None and await account_by_username(session, username) is None:
            raise _id_number_taken() from None
        raise refused("username_taken", f"the username {username!r} is taken; choose another") from None
    return account


def _id_number_taken() -> Exception:
    return refused("id_number_taken", "an account with this identity number exists: one account per person (实名)")


async def id_numbers_taken(session: AsyncSession, digests: Iterable[str]) -> set[str]:
    """Which of these identity-number hashes an account holds already."""
    wanted = list(digests)
    taken: set[str] = set()
    for i in range(0, len(wanted), 500):
        query = select(Account.id_number_hash).where(Account.id_number_hash.in_(wanted[i : i + 500]))
        taken.update(h for h in (await session.execute(query)).scalars() if h is not None)
    return taken


async def create_bidders(
    session: AsyncSession, clock: Clock, accounts: list[tuple[str, str, str]], password: str
) -> list[Account]:
    """Many bidder accounts (username, real name, identity number) sharing one password, hashed once: a
    simulated market (``auction-service simulate``) needs hundreds, and one argon2 hash each would cost
    tens of seconds. Usernames must be free (an IntegrityError otherwise: the caller picks fresh ones);
    an identity number held already, or twice in the batch, is 409 ``id_number_taken``
    (``id_numbers_taken`` lets the caller pick others first)."""
    key = await eligibility.identity_key(session)
    digests = [eligibility.hash_with(key, ruled_eligibility.parse_id_number(n)) for _, _, n in accounts]
    if len(set(digests)) != len(digests) or await id_numbers_taken(session, digests):
        raise _id_number_taken()
    password_hash = await password_pool.run(hash_password, password)
    rows = [
        Account(
            username=u,
            password_hash=password_hash,
            role="bidder",
            real_name=n,
            court_id=None,
            created_at=clock.now(),
            id_number_hash=digest,
        )
        for (u, n, _), digest in zip(accounts, digests, strict=True)
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def account_by_username(session: AsyncSession, username: str) -> Account | None:
    """Usernames are compared without case (a look-alike "Bidder1" beside "bidder1" would let one
    person pass for another); ``Account.username_key`` holds the lower-cased form."""
    query = select(Account).where(Account.username_key == username.lower())
    return (await session.execute(query)).scalar_one_or_none()


async def authenticate(session: AsyncSession, username: str, password: str) -> Account:
    account = await account_by_username(session, username)
    ok = await password_pool.run(verify_password, password, account.password_hash if account else None)
    if account is None or not ok:
        raise unauthenticated("invalid_credentials", "wrong username or password")
    return account


async def sign_up(
    session: AsyncSession, clock: Clock, *, username: str, password: str, real_name: str, id_number: str
) -> AccountView:
    """A bidder signs up over the API, known by real name (实名): the identity number is required and
    check-digit valid (422 ``invalid_id_number``), one account per number (409 ``id_number_taken``), and
    stored only as a keyed hash (``core/eligibility.py``). 409 ``username_taken`` first."""
    digest = await eligibility.hash_id_number(session, id_number)
    if await account_by_username(session, username) is None and await id_numbers_taken(session, [digest]):
        raise _id_number_taken()
    account = await create_account(
        session,
        clock,
        username=username,
        password=password,
        real_name=real_name,
        role="bidder",
        id_number_hash=digest,
    )
    return _view(account, None)


async def log_in(session: AsyncSession, username: str, password: str) -> AccountView:
    """The account behind a username and password (401 ``invalid_credentials``)."""
    return _view(await authenticate(session, username, password), None)


async def account_of(session: AsyncSession, principal: Principal) -> AccountView | None:
    """The caller's account with its court's name (None if the account is gone since the token)."""
    account = await session.get(Account, principal.account_id)
    if account is None:
        return None
    court = await session.get(Court, account.court_id) if account.court_id else None
    return _view(account, court)


def _view(account: Account, court: Court | None) -> AccountView:
    return AccountView(
        id=account.id,
        username=account.username,
        role=account.role,
        real_name=account.real_name,
        court_id=account.court_id,
        court=court.name if court else None,
    )


async def get_or_create_court(
    session: AsyncSession,
    clock: Clock,
    name: str,
    *,
    province: str | None = None,
    city: str | None = None,
    level: str | None = None,
) -> Court:
    """The court of that name, created if new; the province, city and level given are set on it."""
    court = (await session.execute(select(Court).where(Court.name == name))).scalar_one_or_none()
    if court is None:
        court = Court(name=name, created_at=clock.now())
        session.add(court)
    court_regions.apply(court, province=province, city=city, level=level)
    await session.flush()
    return court


async def service_secret(db: Database) -> str:
    """The token signing key shared by every service process on this database."""
    async with db.sessions(write=True)() as session, session.begin():
        row = await session.get(ServiceSecret, "token_key")
        if row is None:
            row = ServiceSecret(name="token_key", value=secrets.token_urlsafe(48))
            session.add(row)
        return row.value
