"""Helpers that test modules share: stand-in servers, mocks, stacks and assertions.

A test module imports shared helpers from here (or takes fixtures from a `conftest.py`), never
from another `test_*.py`, so each test file passes on its own. pytest collects `test_*.py` only,
so nothing here is collected as a test.
"""
