"""The market simulator: buyers and court clerks who use the platform through its public API.

Its parts: the bidders' behaviour (``agents``), the market that brings buyers to lots (``market``), the
court clerks' policy (``clerks``, ``court_calendar``), scenarios (``scenario``, ``scenarios/``), a
discrete-event kernel that drives them over HTTP (``kernel``, ``platform``), the auction records and
their figures (``records``) and the report (``report``). It imports nothing of the service or the web
client: only the command line (``auction_cli``) wires a service to it."""
