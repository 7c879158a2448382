"""The multi-process fixture (``tests/support/cluster.py``) for the tests here."""

from tests.support.cluster import cluster  # noqa: F401 (a fixture)
