"""What SAP Gateway adds to OData V2: CSRF tokens on writes, message bodies, service roots.

- SAP Gateway serves each service at `/sap/opu/odata/<namespace>/<SERVICE>/`.
- Modifying requests carry an `X-CSRF-Token` fetched on the service root, valid only with the
  session cookies of its fetch (`CsrfTokenAuth`).
- Error bodies carry a message code (`06/017`) and, in `innererror.errordetails`, the
  properties a validation blamed with their severity (`read_error`).
"""

from __future__ import annotations

from functools import partial
from typing import Final

from ironbridge.connectors.auth import FetchedTokenAuth, RootAfter
from ironbridge.connectors.protocols import odata_v2

__all__ = ["CSRF_HEADER", "CsrfTokenAuth", "read_error"]

CSRF_HEADER: Final = "X-CSRF-Token"


#: SAP's error bodies: `SAP <code>: <text>`, and in `innererror.errordetails` the properties a
#: validation blamed; details of severity error or abort made the request fail, the rest are notes.
read_error: Final = odata_v2.DetailedErrors(
    "SAP", "innererror/errordetails", failing=frozenset({"error", "abort"})
)


#: Basic credentials (or a token) plus SAP's CSRF token on every modifying request, fetched on
#: the service root, `/sap/opu/odata/<namespace>/<SERVICE>/` (for other servers the request's
#: parent path), in the client of the request, and valid only with the cookies of its fetch.
CsrfTokenAuth: Final = partial(FetchedTokenAuth, header=CSRF_HEADER, root=RootAfter("odata", 2))
