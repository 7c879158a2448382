"""The live feed: events of committed changes, fanned out to websocket watchers."""
