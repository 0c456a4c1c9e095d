"""Vendors: the record and the bodies that create and update one."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field, StringConstraints

from ironbridge.model.entities import Entity
from ironbridge.model.enums import VendorStatus
from ironbridge.model.inputs import InputModel
from ironbridge.model.record import Record
from ironbridge.model.values import Address, CurrencyCode, ShortText

__all__ = ["Vendor", "VendorCreate", "VendorUpdate"]

# Deliberately loose: the source system is the judge of an address it will mail to; this
# only catches values that are clearly not an e-mail address (a name, a phone number).
# No `\s`: Python and the API document's (ECMAScript) regular expressions disagree on what it
# matches (U+0085, U+FEFF, U+001C-U+001F), so spaces and controls are listed.
_NOT_IN_ADDRESS = r"[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
EmailText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=254,
        pattern=f"^{_NOT_IN_ADDRESS}+@{_NOT_IN_ADDRESS}+$",
    ),
]


class Vendor(Record):
    """A supplier goods and services are bought from."""

    entity: ClassVar[Entity] = Entity.VENDORS

    code: str | None = Field(default=None, description="The vendor number or code in the source.")
    name: str = Field(description="The vendor's name.")
    status: VendorStatus = Field(description="The vendor's normalized status.")
    tax_id: str | None = Field(
        default=None, description="Tax or VAT registration number, as the source stores it."
    )
    email: str | None = Field(default=None, description="The main e-mail address.")
    phone: str | None = Field(default=None, description="The main phone number.")
    website: str | None = Field(default=None, description="The vendor's website.")
    currency: CurrencyCode | None = Field(
        default=None, description="ISO 4217 code of the currency the vendor invoices in."
    )
    payment_terms: str | None = Field(
        default=None, description="Default payment terms, e.g. `Net 30`."
    )
    address: Address | None = Field(default=None, description="The vendor's main address.")


class VendorCreate(InputModel):
    """A new vendor. The source assigns the code unless one is given."""

    code: ShortText | None = Field(
        default=None, description="The vendor code; the source assigns one when omitted."
    )
    name: ShortText = Field(description="The vendor's name.")
    tax_id: ShortText | None = Field(default=None, description="Tax or VAT registration number.")
    email: EmailText | None = Field(default=None, description="The main e-mail address.")
    phone: ShortText | None = Field(default=None, description="The main phone number.")
    website: ShortText | None = Field(default=None, description="The vendor's website.")
    currency: CurrencyCode | None = Field(
        default=None, description="ISO 4217 code of the vendor's currency."
    )
    payment_terms: ShortText | None = Field(default=None, description="Default payment terms.")
    address: Address | None = Field(default=None, description="The vendor's main address.")
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Source fields outside the unified model, by name."
    )


class VendorUpdate(InputModel):
    """Changes to a vendor; omitted fields stay as they are, null clears a field."""

    non_nullable: ClassVar[frozenset[str]] = frozenset({"name", "status"})

    name: ShortText | None = Field(default=None, description="The vendor's name.")
    status: VendorStatus | None = Field(default=None, description="A new status.")
    tax_id: ShortText | None = Field(default=None, description="Tax or VAT registration number.")
    email: EmailText | None = Field(default=None, description="The main e-mail address.")
    phone: ShortText | None = Field(default=None, description="The main phone number.")
    website: ShortText | None = Field(default=None, description="The vendor's website.")
    currency: CurrencyCode | None = Field(
        default=None, description="ISO 4217 code of the vendor's currency."
    )
    payment_terms: ShortText | None = Field(default=None, description="Default payment terms.")
    address: Address | None = Field(
        default=None, description="The vendor's main address; replaces the whole address."
    )
    custom_fields: dict[str, Any] | None = Field(
        default=None, description="Custom fields to set; fields not named stay as they are."
    )
