"""Load tests and benchmarks of the bidding core. See ``loadtests/README.md``."""
