"""Services: they orchestrate the rules and persistence; HTTP and websocket layers call them."""
