"""The document catalogue and outlines: what the index holds, clause by clause."""
