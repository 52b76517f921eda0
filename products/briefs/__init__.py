"""Briefing notes: a topic in, the key clauses quoted and grouped by document out."""
