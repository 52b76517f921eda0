"""The encoders: the dense models by registry name (embedders.py), their ONNX export and
engine (onnx_export.py, onnx_embedder.py) and the cache of passage vectors that lets a
rebuild embed only changed texts (embedding_cache.py). They know nothing of search, the
store or the scale-out."""
