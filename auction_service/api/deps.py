"""Dependencies shared by the routes: the service container, the caller, sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from auction_rules.errors import forbidden

from ..core import unit_of_work
from ..core.security import Principal, unauthorized
from ..core.services import Services

_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/v1/auth/token")


# The dependencies are ``async def`` though none awaits: FastAPI runs a plain ``def`` dependency in its
# thread pool, a thread hop per dependency per request for a few attribute reads.
def _services_of(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def services(request: Request) -> Services:
    """The container the lifespan built (``app.py``): typed from here on."""
    return _services_of(request)


ServicesDep = Annotated[Services, Depends(services)]


async def client_address(request: Request) -> str:
    """The client's address, the key of the per-address rate limits. Behind a reverse proxy this is the
    address the proxy passed in ``X-Forwarded-For``, but only from a proxy uvicorn trusts
    (``FORWARDED_ALLOW_IPS``, 127.0.0.1 by default; docs/operations.md, "nginx in front")."""
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise unauthorized()
    return _services_of(request).tokens.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def staff_principal(principal: CurrentPrincipal) -> Principal:
    if principal.role not in ("staff", "admin"):
        raise forbidden("staff_only", "only court staff may do this")
    return principal


StaffPrincipal = Annotated[Principal, Depends(staff_principal)]


async def write_session(svc: ServicesDep) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: the services only flush; this commits once the route has returned
    and before the response is sent (``scope="function"`` below), so what is acknowledged is committed,
    and runs the service's after-commit callbacks (``core/unit_of_work.py``). A route that raises is
    rolled back."""
    async with svc.write_sessions() as session:
        try:
            yield session
        except BaseException:
            await unit_of_work.rollback(session)
            raise
        await unit_of_work.commit(session)


async def read_session(svc: ServicesDep) -> AsyncIterator[AsyncSession]:
    """A read-only session, closed as soon as the route returns (nothing held while the answer is sent)."""
    async with svc.read_sessions() as session:
        yield session


WriteSession = Annotated[AsyncSession, Depends(write_session, scope="function")]
ReadSession = Annotated[AsyncSession, Depends(read_session, scope="function")]
