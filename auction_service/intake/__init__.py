"""Use-cases shared by the transports: what a request means, whichever transport brought it."""
