"""`python -m wsis_rag.eval.bench PART`: the same command line as `wsis bench PART`."""

from .cli import bench_app

bench_app()
