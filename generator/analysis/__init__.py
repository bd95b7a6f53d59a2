"""The failure analysis: an architecture compiled into its failure model, scenarios evaluated on it
(placement, restarts, explanations), minimal cut sets, tolerance and availability."""
