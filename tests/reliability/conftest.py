"""The private-PostgreSQL fixture of the outage tests (``tests/support/outages.py``) for the tests here."""

from tests.support.outages import private_pg  # noqa: F401 (a fixture)
