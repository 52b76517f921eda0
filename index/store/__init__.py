"""The index on disk: versions written beside the current one, sealed, verified and
swapped in atomically (versions.py), and the build that writes them (builder.py). The
store reads and writes the search structures (columns, BM25, vectors); search never
imports the store."""
