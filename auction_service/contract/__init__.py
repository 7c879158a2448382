"""The public contract's shapes, in one place: what a request may say and what an answer looks like.

Both transports (HTTP in ``api/``, the websocket feed in ``live/``) parse and shape through here, so a
bid, an auction or a feed event reads the same whichever way it travels. Core below trusts what this
package has validated and returns domain values; it never builds the contract's JSON itself.

- ``bids``: parsing a bid (amount, Idempotency-Key, the money bound) and the placed-bid answer;
- ``events``: the live feed's event messages;
- ``auctions``: auctions, results, lots, registrations, priority holders, the bid record, the audit;
- ``accounts``: sign-up, tokens, "my page";
- ``ledger``, ``documents``, ``stats``: the staff's deposits ledger and dispositions, lot documents,
  statistics (JSON and CSV).
- ``answers``, ``errors``: every answer above as a pydantic model, and the error envelope with the
  catalogue of its codes, for the OpenAPI document (documentation only: the functions above shape the
  answers; ``tests/api/test_openapi_truth.py`` holds them to these models).
"""
