"""Test harnesses that ship with ironbridge, so users can run them against their own setup.

- `ironbridge.testing.conformance`: the suite every connector must pass, runnable against any
  live target.
- `ironbridge.testing.emulators`: emulators of closed source systems (SAP S/4HANA, ...): real
  HTTP servers that follow each vendor's published API on their own, with sample data, fault
  injection and a small Python API to change their data from a test.
"""
