"""Outbound webhooks: events, endpoints, signing, fan-out and delivery."""
