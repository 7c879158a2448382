"""``python -m auction_cli ...``: the same as the ``auction-service`` command."""

from .main import app

app()
