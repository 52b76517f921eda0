"""The speed benchmarks: each part prints Markdown tables for BENCHMARKS.md (and the dated
record in docs/benchmarks/history.md) and asserts nothing. One command line,
`wsis bench PART` (= `python -m wsis_rag.eval.bench PART`):

- embed:      query embedding p50/p90 and passages/s per encoder (encoders.py);
- build:      raw passages/s of each encoder against a full build, then load (build.py);
- load:       index load time, memory and first queries, in a fresh process (build.py);
- search:     in-process latency by stage, then under each kind of filter (search.py);
- variants:   search variants against each other after the query embeddings, the
              order shuffled by question (variants.py);
- http:       GET /search on a real server against the query embedding (service.py);
- startup:    searches in the first seconds after `wsis serve` says ready (service.py);
- ask:        POST /ask in the first minute after ready and ten minutes later, and the idle
              server's CPU between them (service.py);
- collection: the index over the real UN collection (collection.py);
- products:   the products at collection size (products.py);
- synthetic:  writes an index of copies of a built one, for the figures at 10^5 (synthetic.py);
- scale:      exact against approximate vector search at 10^4..10^6 (vector_scale.py);
- ray:        build and sharded search on a local Ray cluster (cluster.py).

Inputs are the shared data (inputs.py); timing.py holds what every part prints beside its
figures (the machine, its load, percentiles).
"""
