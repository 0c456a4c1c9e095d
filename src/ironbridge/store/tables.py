"""The schema, as SQLAlchemy Core tables. Alembic migrations create exactly this."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from .types import JSONType, UTCDateTime

__all__ = [
    "accounts",
    "connection_errors",
    "connections",
    "credentials",
    "deliveries",
    "delivery_attempts",
    "events",
    "idempotency_keys",
    "locks",
    "metadata",
    "record_counts",
    "records",
    "sync_runs",
    "sync_states",
    "webhook_endpoints",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    # Requests per minute per credential of this account; NULL = the server default.
    Column("rate_limit_per_minute", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # Last `sequence` of the account's events that belong to no connection.
    Column("event_sequence", BigInteger, nullable=False, server_default="0"),
)

connections = Table(
    "connections",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("system", String(64), nullable=False),
    Column("end_customer_id", String(255), nullable=False),
    Column("end_customer_name", String(255), nullable=False),
    Column("status", String(32), nullable=False),
    # Fernet ciphertext of the source credentials; never the plain values.
    Column("credentials_ciphertext", Text, nullable=False),
    Column("settings", JSONType, nullable=False),
    Column("enabled_event_types", JSONType, nullable=False),
    Column("metadata", JSONType, nullable=False),
    Column("health", JSONType, nullable=False),
    Column("last_checked_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("disconnected_at", UTCDateTime, nullable=True),
    # Last `sequence` given to an event of this connection (receivers order by it).
    Column("event_sequence", BigInteger, nullable=False, server_default="0"),
    # Per entity the source offers: status, reason, what to enable (from the last check that
    # reached the permissions stage); NULL = not known yet, every entity counts as available.
    Column("availability", JSONType, nullable=True),
    # Entities the integrator requires to be available; NULL = at least one of those synced.
    Column("required_entities", JSONType, nullable=True),
    Index("ix_connections_account_created", "account_id", "created_at", "id"),
)

credentials = Table(
    "credentials",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("connection_id", String(40), ForeignKey("connections.id"), nullable=True),
    # admin | conn | link | pub (security.TokenKind)
    Column("kind", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    # The last characters, so an operator can tell keys apart without the secret.
    Column("hint", String(16), nullable=False),
    Column("label", String(200), nullable=True),
    Column("data", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index("ix_credentials_account_kind", "account_id", "kind"),
    Index("ix_credentials_connection", "connection_id"),
)

records = Table(
    "records",
    metadata,
    # Deterministic from (connection, entity, remote id): see ironbridge.model.record_id.
    Column("id", String(64), primary_key=True),
    Column("connection_id", String(40), ForeignKey("connections.id"), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("remote_id", String(255), nullable=False),
    # The source's own change time, or for a snapshot record (one its source keeps no change
    # time for) when ironbridge first saw its current content: the list order.
    Column("modified_at", UTCDateTime, nullable=False),
    Column("status", String(32), nullable=True),
    # Values of the entity's filterable references (vendor_id, asset_id, category…).
    Column("filters", JSONType, nullable=False),
    # Validated unified JSON text, served as stored bytes (no per-request re-validation).
    Column("unified", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("snapshot", Boolean, nullable=False, default=False, server_default=false()),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("synced_at", UTCDateTime, nullable=False),
    UniqueConstraint("connection_id", "entity", "remote_id"),
    Index("ix_records_page", "connection_id", "entity", "modified_at", "id"),
    # Both hold the list order after their equalities: a page, of one status or not, is a seek.
    Index("ix_records_status_page", "connection_id", "entity", "status", "modified_at", "id"),
)

#: Live (not deleted) records per connection and entity, kept by the records store in the same
#: transaction as the records: `GET /v1/sync` and the end of every sync read it instead of
#: counting a store that may hold millions of rows.
record_counts = Table(
    "record_counts",
    metadata,
    Column("connection_id", String(40), ForeignKey("connections.id"), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("live", BigInteger, nullable=False),
)

#: Signed-in dashboard operators. The cookie names the session (signed); this row makes it
#: revocable: signing out ends it at once, wherever the cookie was copied to. `id` is the SHA-256
#: of the session's random nonce.
dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("credential_id", String(40), ForeignKey("credentials.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Index("ix_dashboard_sessions_expires", "expires_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    # The credential scope: a connection for unified writes, an account for POST /v1/connections.
    Column("scope", String(80), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("response_body", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("scope", "key"),
    Index("ix_idempotency_keys_created", "created_at"),
)

sync_states = Table(
    "sync_states",
    metadata,
    Column("connection_id", String(40), ForeignKey("connections.id"), primary_key=True),
    Column("entity", String(32), primary_key=True),
    # High-water mark: (modified_at, remote_id) of the last record of the last committed page.
    Column("cursor_at", UTCDateTime, nullable=True),
    Column("cursor_id", String(255), nullable=True),
    # idle | queued | running | failed
    Column("status", String(16), nullable=False),
    Column("last_success_at", UTCDateTime, nullable=True),
    Column("last_full_at", UTCDateTime, nullable=True),
    Column("next_run_at", UTCDateTime, nullable=True),
    Column("records_seen", Integer, nullable=False),
    Column("last_error", JSONType, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("connection_id", String(40), ForeignKey("connections.id"), nullable=False),
    Column("entity", String(32), nullable=False),
    # incremental | full
    Column("mode", String(16), nullable=False),
    # queued | running | succeeded | partial | failed
    Column("status", String(16), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("queued_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("created", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("deleted", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("error", JSONType, nullable=True),
    Index("ix_sync_runs_connection", "connection_id", "queued_at", "id"),
    Index("ix_sync_runs_status", "status"),
)

# What a full run has read so far, by remote id: a full pass ends by marking deleted the live
# records it did not read. Kept here, not in the worker's memory, so a pass over a million
# records costs no more memory than one over ten thousand. Cleared when the run ends.
sync_seen = Table(
    "sync_seen",
    metadata,
    Column("connection_id", String(40), primary_key=True),
    Column("run_id", String(40), primary_key=True),
    Column("remote_id", String(255), primary_key=True),
)

locks = Table(
    "locks",
    metadata,
    # e.g. `sync:conn_…`: one holder at a time across every process sharing the database.
    Column("name", String(120), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# Integer positions give `GET /v1/events?after=` a total order; SQLite needs plain INTEGER
# for its rowid alias to autoincrement.
_Position = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("position", _Position, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("connection_id", String(40), ForeignKey("connections.id"), nullable=True),
    Column("type", String(80), nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("data", JSONType, nullable=False),
    Index("ix_events_account_position", "account_id", "position"),
    Index("ix_events_created", "created_at"),
    Index("ix_events_connection_position", "connection_id", "position"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("description", String(500), nullable=True),
    # [{"ciphertext", "created_at", "expires_at"}]: the newest first; all unexpired ones sign.
    Column("secrets", JSONType, nullable=False),
    Column("event_types", JSONType, nullable=True),
    Column("connection_ids", JSONType, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", String(200), nullable=True),
    Column("failing_since", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_webhook_endpoints_account", "account_id"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(40), ForeignKey("accounts.id"), nullable=False),
    Column("endpoint_id", String(40), ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("event_id", String(40), nullable=False),
    Column("event_type", String(80), nullable=False),
    # pending | succeeded | failed
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("first_attempt_at", UTCDateTime, nullable=True),
    Column("last_attempt_at", UTCDateTime, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("endpoint_id", "event_id"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    Index("ix_deliveries_account_created", "account_id", "created_at", "id"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("delivery_id", String(40), ForeignKey("deliveries.id"), nullable=False),
    Column("attempted_at", UTCDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Integer, nullable=False),
    Column("response_excerpt", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("manual", Boolean, nullable=False),
    Index("ix_delivery_attempts_delivery", "delivery_id", "attempted_at"),
)

connection_errors = Table(
    "connection_errors",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("connection_id", String(40), ForeignKey("connections.id"), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    # sync | read | write | check | passthrough
    Column("operation", String(32), nullable=False),
    Column("entity", String(32), nullable=True),
    Column("remote_id", String(255), nullable=True),
    Column("code", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("request_id", String(128), nullable=True),
    Column("run_id", String(40), nullable=True),
    Index("ix_connection_errors_connection", "connection_id", "occurred_at", "id"),
)
