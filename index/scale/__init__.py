"""Beyond one process (optional extra `scale`): the index split into shards by document
and searched by fan-out with an exact merge (shards.py), the build's heavy steps on a Ray
cluster (distributed.py), the shards served by Ray actors (ray_shards.py) and a local
multi-node cluster for tests and benchmarks (ray_cluster.py). Scale builds on search and
the store; neither imports it."""
