"""The command line (``auction-service``): the composition root that wires the service
(``auction_service``) and the bidder side (``bidder_client``). Neither package imports the other."""
