"""The mandate view: operative clauses that assign an actor a task, role or request."""
