"""The MCP server, driven by the official SDK's own client: over stdio (`wsis mcp` as a
subprocess) and over streamable HTTP (/mcp/ of a real uvicorn server), on the real index."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from wsis_rag.core.settings import Settings

pytestmark = pytest.mark.integration

TOOLS = {"search", "passage", "cite", "documents", "ask", "mandates", "compare", "lineage"}
QUESTION = "What does A/RES/80/173 assign to ITU?"


def _stdio_server(settings: Settings) -> StdioServerParameters:
    env = {
        **os.environ,
        "WSIS_INDEX_DIR": str(settings.index_dir),
        "WSIS_CORPUS_DIRS": json.dumps([str(d) for d in settings.corpus_dirs]),
        "WSIS_ENCODERS": json.dumps(settings.encoders),
    }
    return StdioServerParameters(command=str(Path(sys.executable).with_name("wsis")), args=["mcp"], env=env)


def _run(session: Callable[[], Awaitable[None]]) -> None:
    """Run the client session in a thread of its own: another test's event loop may still
    be running in this one."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            anyio.run(session)
        except BaseException as error:  # re-raised in the test's thread
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _structured(result) -> dict:  # type: ignore[no-untyped-def]
    assert not result.is_error, result.content
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


def test_stdio_tools_resources_and_a_cited_answer(built_index: Settings) -> None:
    async def session() -> None:
        async with Client(_stdio_server(built_index)) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert set(tools) >= TOOLS
            assert "doc" in tools["search"].input_schema["properties"]

            answer = _structured(await client.call_tool("ask", {"question": QUESTION}))
            assert answer["citations"], answer
            labels = [c["label"] for c in answer["citations"]]
            assert any(label.startswith("A/RES/80/173, para.") for label in labels), labels
            assert "ITU" in answer["answer"] or "International Telecommunication Union" in answer["answer"]
            # The same answer as POST /ask: its sentences with language and role, and its support.
            assert answer["support"] in ("strong", "weak") and 0 <= answer["confidence"] <= 1
            assert answer["answer"] == " ".join(f"{s['text']} [{s['n']}]" for s in answer["sentences"])
            assert {s["role"] for s in answer["sentences"]} <= {"answer", "context"}

            mandates = _structured(await client.call_tool("mandates", {"actor": "ITU", "doc": "A/RES/80/173"}))
            clause_ids = json.dumps(mandates)
            assert "a-res-80-173:para-" in clause_ids

            hits = _structured(await client.call_tool("search", {"query": "open source", "k": 3, "doc": ["gdc"]}))
            assert len(hits["results"]) == 3
            assert all(hit["id"].startswith("gdc:") for hit in hits["results"])

            lineage = _structured(await client.call_tool("lineage", {"doc": "GDC"}))
            citing = {e["clause"]["id"].split(":")[0] for g in lineage["cited_by"] for e in g["edges"]}
            assert citing == {"a-res-80-173"}
            unknown = await client.call_tool("lineage", {"doc": "A/RES/1/1"})
            assert unknown.is_error and "A/RES/1/1" in unknown.content[0].text

            passage = _structured(await client.call_tool("passage", {"passage_id": "gdc:para-8-b", "neighbours": 1}))
            assert passage["citation"]["label"] == "GDC, para. 8 (b)"
            cited = _structured(await client.call_tool("cite", {"ref": "GDC, para. 8 (b)"}))
            assert [c["id"] for c in cited["clauses"]] == ["gdc:para-8-b"]

            documents = await client.read_resource("wsis://documents")
            assert "a-res-80-173" in documents.contents[0].text
            clause = await client.read_resource("wsis://passages/a-res-80-173:para-121")
            assert "A/RES/80/173, para. 121" in clause.contents[0].text

            bad = await client.call_tool("search", {"query": "\u200b"})
            assert bad.is_error and "no letter or digit" in bad.content[0].text

            unknown = await client.call_tool("compare", {"a": "A/RES/80/173", "b": "A/RES/12/345"})
            assert unknown.is_error and "b: unknown document 'A/RES/12/345'" in unknown.content[0].text

    _run(session)


def test_streamable_http_under_the_app(live_server: str) -> None:
    async def session() -> None:
        async with Client(live_server + "/mcp/") as client:
            assert set(t.name for t in (await client.list_tools()).tools) >= TOOLS
            hits = _structured(await client.call_tool("search", {"query": "universal connectivity", "k": 2}))
            assert len(hits["results"]) == 2
            # The same comparison as GET /compare, to the byte once parsed.
            compared = _structured(await client.call_tool("compare", {"a": "a-res-80-173", "b": "A/RES/80/173"}))
            over_http = httpx.get(live_server + "/compare", params={"a": "a-res-80-173", "b": "A/RES/80/173"}).json()
            assert compared == over_http and {p["status"] for p in compared["pairs"]} == {"unchanged"}

    _run(session)
