"""The end-customer connect flow (`/connect/`): server-rendered pages, no front-end build.

`create_connect_app` builds the flow as an app to mount on the API app; `static/connect.js` is
the snippet integrators load to open it in a modal iframe.
"""

from .routes import STATIC_DIR, create_connect_app, normalize_origin

__all__ = ["STATIC_DIR", "create_connect_app", "normalize_origin"]
