"""HTTP layer: thin routes that validate input, call the services and shape the contract's JSON."""
