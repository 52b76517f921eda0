"""Two versions of a text compared paragraph by paragraph (a draft and its adopted resolution,
a resolution and its successor of the next session)."""
