"""Retrieval in stages. `HybridRetriever.search` (index/retriever.py) runs them in this order,
after `titles` has found the documents the question names by their title's words or by the
acronyms of the names in their title (the acronyms spelled out for the signals):

1. `signals`: each signal's candidate list (BM25 and the dense encoders) within the allowed rows;
2. `feedback`: cross-lingual pseudo-relevance feedback, words of the best dense results in
   the other language added to the BM25 query (between the dense lists and BM25);
3. `fusion`: the lists combined into one score per row;
4. `priors`: scores scaled by what the question says about where to look (the documents it
   names, front matter) and by the collection priors;
5. `focus`: a second round of the signals within the documents the first found;
6. `pinning`: clauses the question names explicitly put first;
7. `grouping`: one result per group of near-identical clauses, the others in `also_in`;
8. `sentences`: the first page's places after the first five ordered again with the
   clauses' best sentences (their vectors stored with the index for answers);
9. `rerank`: the first page (after the pinned clauses) ordered by a logistic model of
   "this clause holds the answer" over what the stages know of each result, fitted on the
   dev splits of the question sets and kept as data (`index/data/rerank.toml`).

Each stage is a public function of plain inputs (an `IndexRows` view of the index, the
`AnalysedQuery`, its own settings), tested on its own.
"""
