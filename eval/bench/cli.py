"""`wsis bench PART`: the speed benchmarks, one command per part (see the package doc)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ...core.settings import Settings

bench_app = typer.Typer(
    name="bench",
    help="Speed benchmarks: print Markdown tables for BENCHMARKS.md (nothing is asserted).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

Encoders = Annotated[str, typer.Option(help="Comma-separated encoders.")]
IndexDir = Annotated[Path | None, typer.Option(help="The index (default: the index_dir setting).")]
Rounds = Annotated[int, typer.Option(min=1, help="Rounds over the queries (or calls per product).")]


def _header() -> None:
    from .timing import machine

    print(f"Machine: {machine()}")


def _index_dir(index_dir: Path | None) -> Path:
    return index_dir or Settings().index_dir


@bench_app.command()
def embed(encoders: Encoders = "e5,use,minilm", rounds: Rounds = 2) -> None:
    """Query embedding p50/p90 and passages/s per encoder, one and two threads, each in a fresh process."""
    from .encoders import bench_embed

    _header()
    bench_embed(encoders.split(","), rounds)


@bench_app.command("embed-one", hidden=True)
def embed_one(
    encoder: Annotated[str, typer.Option(help="The encoder.")] = "e5",
    threads: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """One row of the embed table (what `embed` runs in each fresh process)."""
    from .encoders import bench_embed_one

    bench_embed_one(encoder, threads)


@bench_app.command()
def build(encoders: Encoders = "e5,use,minilm") -> None:
    """Raw encoder throughput against a full build with a cold embedding cache, then the load part."""
    from .build import bench_build

    _header()
    bench_build(encoders.split(","))


@bench_app.command()
def load(index_dir: IndexDir = None) -> None:
    """Index load time, memory and the first query of each signal (run it in a fresh process)."""
    from .build import bench_load

    _header()
    bench_load(_index_dir(index_dir))


@bench_app.command()
def search(index_dir: IndexDir = None) -> None:
    """In-process search latency by stage over the dev questions, then under each kind of filter."""
    from .search import bench_search

    _header()
    bench_search(_index_dir(index_dir))


@bench_app.command()
def variants(
    variant: Annotated[
        list[str],
        typer.Option(
            "--variant",
            help="NAME=field:value,... (FusionConfig fields, or signals:bm25+e5+use); repeatable, at least "
            "two; the first is the baseline ('default=' for the default).",
        ),
    ],
    index_dir: IndexDir = None,
    rounds: Rounds = 2,
) -> None:
    """Search variants against each other after the query embeddings, the order shuffled by question."""
    from .inputs import dev_queries
    from .variants import bench_variants, parse_variant

    if len(variant) < 2:
        raise typer.BadParameter("give at least two variants: the first is the baseline", param_hint="--variant")
    try:
        parsed = [parse_variant(spec) for spec in variant]
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--variant") from error
    names = [name for name, _ in parsed]
    if len(set(names)) < len(names) or not all(names):
        raise typer.BadParameter("give every variant a name of its own (NAME=...)", param_hint="--variant")
    _header()
    bench_variants(_index_dir(index_dir), dev_queries(), parsed, rounds)


@bench_app.command()
def http(index_dir: IndexDir = None, rounds: Rounds = 2) -> None:
    """GET /search on a real server against the query embedding in this process."""
    from .inputs import dev_queries
    from .service import bench_http

    _header()
    bench_http(Settings(index_dir=_index_dir(index_dir)), dev_queries(), rounds)


@bench_app.command()
def startup(index_dir: IndexDir = None) -> None:
    """Searches in the first seconds after `wsis serve` says ready."""
    from .inputs import dev_queries
    from .service import bench_startup

    _header()
    bench_startup(Settings(index_dir=_index_dir(index_dir)), dev_queries())


@bench_app.command()
def ask(
    index_dir: IndexDir = None,
    questions: Annotated[
        Path | None, typer.Option(help="A question set (JSON Lines with `query`; default: the dev set).")
    ] = None,
    idle: Annotated[float, typer.Option(min=1, help="Seconds idle between the two rounds.")] = 600.0,
) -> None:
    """POST /ask in the first minute after `wsis serve` says ready and again after `idle`
    seconds, and the CPU the idle server uses meanwhile. The server reads the settings of
    the environment (WSIS_LIBRARY_DIR for a collection's index): it must find its index current."""
    from .inputs import dev_queries, set_queries
    from .service import bench_ask

    _header()
    asked = set_queries(questions) if questions else dev_queries()
    bench_ask(Settings(index_dir=_index_dir(index_dir)), asked, idle_s=idle)


@bench_app.command()
def collection(
    encoders: Encoders = "e5,use,minilm",
    documents: Annotated[int | None, typer.Option(help="Only the first N documents (a smoke run).")] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="An empty directory kept as the build's embedding cache.")
    ] = None,
) -> None:
    """The index over the real UN collection: ingest, build, size, load, search."""
    from .collection import bench_collection
    from .inputs import UN_COLLECTION, dev_queries

    _header()
    with tempfile.TemporaryDirectory() as work:
        bench_collection(UN_COLLECTION, encoders.split(","), documents, dev_queries(), Path(work), cache_dir)


@bench_app.command()
def products(rounds: Rounds = 2) -> None:
    """The products (document list, outline, mandates, a brief) over the WSIS documents and the UN collection."""
    from .inputs import CORPUS, UN_COLLECTION
    from .products import bench_products

    _header()
    bench_products(CORPUS, UN_COLLECTION, rounds)


@bench_app.command()
def synthetic(
    index_dir: Annotated[Path, typer.Option(help="Where the copied index is written.")],
    passages: Annotated[int, typer.Option(help="Rows of the index written.")] = 100_000,
    source_index: Annotated[Path | None, typer.Option(help="The index copied (default: the settings').")] = None,
) -> None:
    """Write an index of about --passages rows made of copies of a built one (for load and search at 10^5)."""
    from .synthetic import write_synthetic_index

    write_synthetic_index(_index_dir(source_index), index_dir, passages)


@bench_app.command()
def scale(
    scales: Annotated[str, typer.Option(help="Comma-separated numbers of vectors.")] = "10000,100000,1000000",
    hnsw_at_largest: Annotated[bool, typer.Option(help="Also build HNSW at the largest size.")] = False,
) -> None:
    """Exact against approximate vector search on synthetic vectors at each size, filtered too."""
    from .vector_scale import bench_scale

    _header()
    bench_scale([int(s) for s in scales.split(",")], hnsw_at_largest)


@bench_app.command()
def ray(
    parts: Annotated[str, typer.Option(help="Comma-separated: build, synthetic, serve.")] = "build,synthetic,serve",
    un_docs: Annotated[
        int | None, typer.Option(help="build: UN documents drawn for the collection build (default: all).")
    ] = None,
    e5_passages: Annotated[int, typer.Option(help="build: collection passages also encoded by e5 (0: none).")] = 240,
    synthetic_passages: Annotated[int, typer.Option("--synthetic", help="synthetic: passages.")] = 1_000_000,
    dim: Annotated[int, typer.Option(help="synthetic: vector dimension.")] = 384,
    queries: Annotated[int, typer.Option(help="synthetic: random queries.")] = 50,
    index_dir: IndexDir = None,
    append: Annotated[Path | None, typer.Option(help="Append the section to this file (the history).")] = None,
) -> None:
    """Build and sharded search on a local 3-node Ray cluster against the same work in process."""
    from .cluster import PARTS, bench_ray

    chosen = [p.strip() for p in parts.split(",") if p.strip()]
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown:
        raise typer.BadParameter(f"unknown parts {unknown}; the parts are {', '.join(PARTS)}", param_hint="--parts")
    bench_ray(
        chosen,
        un_docs=un_docs,
        e5_passages=e5_passages,
        synthetic=synthetic_passages,
        dim=dim,
        queries=queries,
        index_dir=_index_dir(index_dir),
        append=append,
    )


def register(app: typer.Typer) -> None:
    """Add the benchmarks to `app` as `wsis bench`."""
    app.add_typer(bench_app)
