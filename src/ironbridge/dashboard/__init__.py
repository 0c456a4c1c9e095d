"""The operators' dashboard (`/dashboard/`): server-rendered pages with htmx, no front-end build.

Operators sign in with an account admin key and see that account's connections, syncs,
webhook deliveries and events; every action is a form POST to the same services the
management API calls.
"""

from .app import SESSION_LIFETIME, STATIC_DIR, create_dashboard_app

__all__ = ["SESSION_LIFETIME", "STATIC_DIR", "create_dashboard_app"]
