"""Online judicial auction platform simulator: the auction service."""

__version__ = "0.1.0"
