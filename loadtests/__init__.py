"""Load tests and benchmarks of the bidding core (issue 6). See ``loadtests/README.md``."""
