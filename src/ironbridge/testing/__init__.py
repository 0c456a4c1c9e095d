"""Test harnesses that ship with ironbridge, so users can run them against their own setup.

- `ironbridge.testing.conformance`: the suite every connector must pass, runnable against any
  live target.
- `ironbridge.testing.emulators`: emulators of closed source systems (SAP S/4HANA, ...): real
  HTTP servers that follow each vendor's published API on their own, with sample data, fault
  injection and a small Python API to change their data from a test.
- `ironbridge.testing.faults`: the faults every emulator injects (failures, rate limits, delays)
  and their `name=value,...` command-line form, for an emulator to extend with its own.
- `ironbridge.testing.json_server`: serves a plain-Python JSON service over HTTP on 127.0.0.1.
"""
