"""The API's documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served whole by this
service.

Why not FastAPI's defaults: those pages load Swagger UI and ReDoc from a CDN, which a court's intranet
(or any machine off the internet) cannot reach, and the pages stay blank. The JavaScript and CSS come
from the ``fastapi-offline`` package (Swagger UI 5 and ReDoc 2 bundles, MIT/Apache-2.0, installed like
any dependency) and are served here under ``/docs-assets``; no page asks any other host for anything
(``tests/browser/test_api_docs.py`` renders both with every other host blocked). The pages carry a
Content-Security-Policy that allows this origin only. ReDoc's bundle shows its maker's logo from a CDN:
the bundle is served with that address replaced by an empty ``data:`` image, which fails to load at
once, so ReDoc drops the logo, and the browser neither asks the CDN nor reports a policy violation.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response

ASSETS_URL = "/docs-assets"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"

# Inline scripts and styles: FastAPI's page templates start the UIs inline, ReDoc styles itself inline;
# ReDoc's search runs in a worker made from a blob.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)
_HIDE_LOGO = '<style>a[href*="redocly.com"], a[href*="redoc.ly"] { display: none !important; }</style>'

router = APIRouter(include_in_schema=False)


def _same_origin_only(page: HTMLResponse, extra_head: str = "") -> HTMLResponse:
    if extra_head:
        page = HTMLResponse(bytes(page.body).decode().replace("</head>", f"{extra_head}</head>", 1))
    page.headers["Content-Security-Policy"] = CSP
    return page


def assets_folder() -> Path:
    """The folder of the packaged Swagger UI and ReDoc bundles (a real folder: the wheel is unzipped)."""
    return Path(str(files("fastapi_offline") / "static"))


def _urls(request: Request) -> tuple[str, str]:
    """(the OpenAPI document's URL, the assets' URL), under the root path a proxy may mount us at."""
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}{request.app.openapi_url}", f"{root}{ASSETS_URL}"


@router.get(DOCS_URL)
async def swagger_ui(request: Request) -> HTMLResponse:
    openapi_url, assets = _urls(request)
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{assets}/swagger-ui-bundle.js",
        swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon.png",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_ui_parameters={"defaultModelsExpandDepth": 1, "displayRequestDuration": True, "validatorUrl": None},
    )
    return _same_origin_only(page)


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(REDOC_URL)
async def redoc(request: Request) -> HTMLResponse:
    openapi_url, assets = _urls(request)
    page = get_redoc_html(
        openapi_url=openapi_url,
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{assets}/{REDOC_BUNDLE}",
        redoc_favicon_url=f"{assets}/favicon.png",
        with_google_fonts=False,  # Google's font CDN is as unreachable as the others
    )
    return _same_origin_only(page, _HIDE_LOGO)


REDOC_BUNDLE = "redoc.standalone.js"
REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def _redoc_bundle() -> bytes:
    """ReDoc's bundle with its CDN logo replaced (read once)."""
    return (assets_folder() / REDOC_BUNDLE).read_bytes().replace(REDOC_LOGO, b"data:,")


@router.get(f"{ASSETS_URL}/{REDOC_BUNDLE}")
async def redoc_bundle() -> Response:
    return Response(_redoc_bundle(), media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


def install_docs(app: FastAPI) -> None:
    """Serve the pages and their assets (the app must be built with ``docs_url=None, redoc_url=None``)."""
    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=assets_folder()), name="docs-assets")
