"""`wsis`: the command line root; each step and product registers its own commands."""
