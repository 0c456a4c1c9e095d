"""Interactive API documentation (`/docs`) served entirely from the package.

Plant networks are often cut off from the internet, so Swagger UI's script, stylesheet and icon
ship inside ironbridge (`api/static/swagger-ui/`) instead of coming from a CDN, and the online
validator badge (a request to a third party) is switched off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["ASSETS_PATH", "SWAGGER_UI_VERSION", "install_docs"]

#: The `swagger-ui-dist` release the assets come from (see its README beside them).
SWAGGER_UI_VERSION = "5.35.0"
#: Where the assets are served.
ASSETS_PATH = "/docs/assets"
_ASSETS_DIR = Path(__file__).parent / "static" / "swagger-ui"


def install_docs(app: FastAPI, *, docs_url: str = "/docs") -> None:
    """Serve Swagger UI for `app`'s OpenAPI document at `docs_url`, with local assets only.

    Create the app with `docs_url=None` so FastAPI does not add its CDN-backed page.
    """
    if not app.openapi_url:
        raise ValueError("the docs need the app's OpenAPI document (openapi_url)")
    openapi_url = app.openapi_url
    title = f"{app.title} API"
    # ?v= changes with the version, so a browser never mixes cached assets of two releases.
    version = f"?v={SWAGGER_UI_VERSION}"
    app.mount(ASSETS_PATH, StaticFiles(directory=_ASSETS_DIR), name="docs-assets")

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js{version}",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css{version}",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
