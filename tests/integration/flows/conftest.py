"""Flow definitions shared by the flow tests: the three examples of docs/flows.md."""

from __future__ import annotations

from typing import Any

#: "When a purchase order at Plant 7 is approved and its total exceeds 10,000, create a work
#: order in their CMMS and post a `flow.large_po` webhook."
LARGE_PO: dict[str, Any] = {
    "name": "Large approved PO at Plant 7",
    "trigger": {"type": "record_event", "events": ["purchase_order.updated"]},
    "connections": {"metadata": {"plant": "7"}},
    "steps": [
        {
            "id": "is_large",
            "type": "condition",
            "expression": "trigger.record.status == 'approved' && "
            "double(trigger.record.total) > 10000.0",
        },
        {
            "id": "work_order",
            "type": "map",
            "expression": "{title: join(' ', ['Receive and inspect', trigger.record.number]), "
            "priority: 'high', description: trigger.record.notes}",
        },
        {
            "id": "create_wo",
            "type": "write",
            "entity": "work-orders",
            "operation": "create",
            "body": "steps.work_order",
            "retries": 2,
            "backoff_seconds": 0.1,
        },
        {
            "id": "notify",
            "type": "emit",
            "name": "large_po",
            "data": "{purchase_order: trigger.record.id, total: trigger.record.total, "
            "work_order: steps.create_wo.id}",
        },
    ],
}

#: "Every night at 02:00, read low-stock items and raise draft purchase orders."
NIGHTLY_REORDER: dict[str, Any] = {
    "name": "Nightly reorder of low stock",
    "trigger": {"type": "schedule", "cron": "0 2 * * *"},
    "connections": {"all": True},
    "steps": [
        {"id": "items", "type": "read", "entity": "inventory-items", "limit": 500},
        {"id": "vendor", "type": "read", "entity": "vendors", "limit": 1},
        {
            "id": "low",
            "type": "map",
            "expression": "steps.items.data[?stock_levels[?reorder_point != null && "
            "to_number(on_hand) < to_number(reorder_point)]]",
        },
        {
            "id": "raise_pos",
            "type": "for_each",
            "items": "steps.low[:3]",
            "concurrency": 2,
            "steps": [
                {
                    "id": "order",
                    "type": "write",
                    "entity": "purchase-orders",
                    "operation": "create",
                    "body": "{vendor_id: steps.vendor.data[0].id, notes: 'Reorder', "
                    "lines: [{item_id: item.id, quantity: '10'}]}",
                }
            ],
        },
    ],
}

#: "When SAP's connection needs reauthorization, email nobody: send a custom event."
REAUTH_NOTICE: dict[str, Any] = {
    "name": "Reauthorization notice",
    "trigger": {"type": "connection_event", "events": ["connection.auth_required"]},
    "connections": {"systems": ["sap_s4hana", "sandbox"]},
    "steps": [
        {
            "id": "notice",
            "type": "emit",
            "name": "reauth_needed",
            "data": "{connection_id: trigger.connection_id, reason: trigger.data.reason}",
        }
    ],
}
