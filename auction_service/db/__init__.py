"""Persistence: SQLAlchemy models, engines and the stores the services use."""
