"""How a list request carries its filter and its order, as declarations.

- `Syntax`: a query language's spelling of the few conditions the family writes (changed at or
  after, changed before, key after), of its literals and of an ascending order. NetSuite's
  record filter `q` (`lastModifiedDate ON_OR_AFTER "01/31/2024"`), SuiteQL (`lastmodifieddate
  >= TO_TIMESTAMP('2024-01-31 10:00:00', 'YYYY-MM-DD HH24:MI:SS')`) and Maximo's `oslc.where`
  (`changedate>="2024-01-31T10:00:00-00:00"`) are each one `Syntax` value.
- `Listing`: one collection endpoint: its paging, its syntax, where the filter and the order go
  (a query parameter, or the `{where}`/`{order}` of a statement posted in the body), and the
  parameters and headers it always sends (`lean=1`, `Prefer: transient`).

Time literals are written in `Syntax.zone`. NetSuite reads date literals in the account's
time zone (SuiteAnalytics, "Date and time in SuiteQL"), so a connector replaces the zone with
the account's (`dataclasses.replace(syntax, zone=...)`); a literal that shows days only is a
lower bound that reads the whole day again, never one that skips part of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from ironbridge.connectors.protocols.rest_json.paging import Paging

__all__ = ["Listing", "Syntax"]


@dataclass(frozen=True)
class Syntax:
    """A query language's spelling, as templates with `{field}` and `{value}` placeholders.

    `before` and `greater` are None where the language has no such comparison; `ascending` is
    None where results cannot be sorted (NetSuite's record filter), which rules out keyset
    reads on it. `everything` is the condition that matches all rows, for a statement whose
    `WHERE` must not be empty.
    """

    at_or_after: str
    before: str | None = None
    greater: str | None = None
    conjunction: str = " AND "
    everything: str | None = None
    moment: str = '"{value}"'
    moment_format: str = "%Y-%m-%dT%H:%M:%SZ"
    zone: tzinfo = UTC
    text: str = '"{value}"'
    quote: str = '"'
    escaped_quote: str = '\\"'
    ascending: str | None = None
    order_separator: str = ","

    def datetime_literal(self, moment: datetime) -> str:
        """`moment` (aware) as a literal, written in `zone`."""
        if moment.utcoffset() is None:
            raise ValueError(f"{moment.isoformat()} has no time zone")
        return self.moment.format(value=moment.astimezone(self.zone).strftime(self.moment_format))

    def key_literal(self, key: object) -> str:
        """A key as a literal: integers bare, anything else as quoted text."""
        if isinstance(key, int) and not isinstance(key, bool):
            return str(key)
        return self.text.format(value=str(key).replace(self.quote, self.escaped_quote))

    def changed_since(self, field: str, moment: datetime) -> str:
        """The condition "`field` at or after `moment`"."""
        return self.at_or_after.format(field=field, value=self.datetime_literal(moment))

    def changed_before(self, field: str, moment: datetime) -> str:
        """The condition "`field` before `moment`"."""
        if self.before is None:
            raise ValueError("this query language cannot bound a change time from above")
        return self.before.format(field=field, value=self.datetime_literal(moment))

    def key_after(self, field: str, key: object) -> str:
        """The condition "`field` greater than `key`"."""
        if self.greater is None:
            raise ValueError("this query language cannot compare keys")
        return self.greater.format(field=field, value=self.key_literal(key))

    def all_of(self, *conditions: str | None) -> str | None:
        """The conditions joined with the conjunction; None when there are none."""
        present = [condition for condition in conditions if condition]
        return self.conjunction.join(present) if present else None

    def order(self, *fields: str) -> str:
        """Ascending order by `fields`, most significant first."""
        if self.ascending is None:
            raise ValueError("this query language cannot sort")
        return self.order_separator.join(self.ascending.format(field=name) for name in fields)


@dataclass(frozen=True)
class Listing:
    """One collection endpoint of a system.

    The filter goes to the query parameter `filter_param` and the order to `order_param`; or,
    for a query language posted in the body (SuiteQL), both fill the `{where}` and `{order}` of
    the statement the caller passes, which is sent as the body member `statement_field`.
    """

    paging: Paging
    syntax: Syntax
    method: str = "GET"
    filter_param: str | None = None
    order_param: str | None = None
    statement_field: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def sorts(self) -> bool:
        """Whether results can be asked for in an order."""
        carried = self.order_param is not None or self.statement_field is not None
        return carried and self.syntax.ascending is not None
