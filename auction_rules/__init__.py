"""The auction rules of ``docs/domain.md`` as plain Python: no I/O, no clock reads (``now`` is passed in).

Persistence, HTTP and websockets are thin layers around this package.
"""
