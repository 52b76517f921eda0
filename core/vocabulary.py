"""The data that flows out of ingestion: documents, clauses and the passages that cite them.

A `Clause` is one citable unit recovered from a document's structure (an operative
paragraph, a lettered subparagraph, a preambular paragraph, an ITU *resolves* item, a
paragraph of a report section...). A `Passage` is what gets indexed and returned: one per
clause, or several when a long clause is split under the token budget; every piece keeps
the clause's citation. What the products show of a passage is a `CitedClause` (where it is)
or a `QuotedClause` (where it is and what it says), made by `from_passage`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field


class DocType(StrEnum):
    REPORT = "report"
    RESOLUTION = "resolution"
    OUTCOME_DOCUMENT = "outcome-document"
    DRAFT = "draft"  # a draft resolution or decision (A/80/L.41, A/C.2/80/L.12)
    DECISION = "decision"
    OTHER = "other"


class ClauseKind(StrEnum):
    TITLE = "title"  # title block / masthead
    HEADING = "heading"  # a heading line that is also useful context ("A. Introduction")
    PREAMBLE = "preamble"  # preambular paragraph, cited by ordinal
    PARAGRAPH = "paragraph"  # numbered operative paragraph
    SUBPARAGRAPH = "subparagraph"  # lettered "(a)" under a paragraph
    ITEM = "item"  # roman "(i)" or numbered list item under a (sub)paragraph
    BLOCK_ITEM = "block-item"  # ITU resolution block item: "resolves 2", "considering b)"
    FRONT = "front"  # report front part: 目的 / purpose, action required, ...
    SECTION_PARAGRAPH = "section-paragraph"  # report section paragraph: "§7 ¶3"
    FOOTNOTE = "footnote"
    TEXT = "text"  # fallback for documents of unknown shape


class DocumentMeta(BaseModel):
    """What the corpus manifest knows about a document (see corpus/manifest.toml)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable slug, e.g. 'a-res-80-173'; safe in URLs and file names.")
    symbol: str = Field(description="Official symbol, e.g. 'A/RES/80/173'.")
    short: str = Field(description="Prefix of citation labels, e.g. 'A/RES/80/173' or 'GDC'.")
    title: str
    body: str = Field(description="Issuing body, e.g. 'UN General Assembly', 'ITU Council'.")
    type: DocType
    date: str | None = Field(default=None, description="ISO date of adoption or issue.")
    lang: str = "en"
    urls: list[str] = Field(default_factory=list, description="Official URL(s), best first.")
    aliases: list[str] = Field(
        default_factory=list, description="Other names users give it: 'GDC', '80/173', 'WSIS+20 outcome'."
    )
    agenda_item: str | None = Field(default=None, description="Agenda item, e.g. '15' or '100 (d)'.")

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def url(self) -> str | None:
        return self.urls[0] if self.urls else None


class Citation(BaseModel):
    """Where a passage comes from, in the form a delegate quotes it."""

    doc_id: str
    symbol: str
    title: str
    locator: str = Field(description="Clause locator, e.g. 'para. 33 (b)', 'preambular para. 3', 'section 7, para. 3'.")
    label: str = Field(description="Full citation, e.g. 'A/RES/80/173, para. 121'.")
    url: str | None = None
    page: int | None = Field(default=None, description="First PDF page of the clause; null when not from a PDF.")


class Passage(BaseModel):
    """One retrievable, citable unit of text."""

    id: str = Field(description="Stable id '<doc_id>:<anchor>[~<piece>]', e.g. 'a-res-80-173:para-121'.")
    doc_id: str
    symbol: str
    title: str
    doc_type: DocType
    body: str
    year: int | None = None
    url: str | None = None
    kind: ClauseKind
    anchor: str = Field(description="Clause anchor within the document, e.g. 'para-33-b'; shared by pieces.")
    locator: str
    label: str
    heading_path: list[str] = Field(default_factory=list, description="Headings above the clause, outermost first.")
    lang: str
    pages: list[int] = Field(
        default_factory=list, description="PDF pages (1-based) the text spans; empty if not a PDF."
    )
    char_start: int = Field(description="Start offset in the document's normalised text.")
    char_end: int
    piece: int = Field(default=1, description="1-based piece number when a long clause is split.")
    pieces: int = 1
    n_tokens: int = Field(description="cl100k_base tokens in `text`.")
    order: int = Field(description="Position of the passage in document order (0-based).")
    text: str = Field(description="The clause text exactly as cited.")
    context: str = Field(
        default="",
        description="Retrieval-only context (e.g. a subparagraph's lead-in); never shown as the quote.",
    )

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    @property
    def heading(self) -> str | None:
        return self.heading_path[-1] if self.heading_path else None

    @property
    def citation(self) -> Citation:
        return Citation(
            doc_id=self.doc_id,
            symbol=self.symbol,
            title=self.title,
            locator=self.locator,
            label=self.label,
            url=self.url,
            page=self.page,
        )

    @property
    def retrieval_text(self) -> str:
        """What the encoders and BM25 see: context first, then the quoted text."""
        return f"{self.context}\n{self.text}" if self.context else self.text

    @property
    def is_front_matter(self) -> bool:
        """A title block or a list of reference documents (the Council report's 参考文件)."""
        return self.kind == ClauseKind.TITLE or (
            self.kind == ClauseKind.FRONT and self.anchor.startswith("front-references")
        )


class CitedClause(BaseModel):
    """A clause (or passage) as the products list it: its id, citation and place. The
    outline, mandates, briefing notes and answers derive their entries from this model
    (or from `QuotedClause`), so a passage turns into an entry in one way."""

    id: str
    label: str = Field(description="Citation label, e.g. 'A/RES/80/173, para. 121'.")
    locator: str
    url: str | None = None
    lang: str
    order: int = Field(description="Position in document order.")

    @classmethod
    def from_passage(cls, passage: Passage, **fields: Any) -> Self:
        """This model for `passage`: the shared fields from the passage, the model's own
        from `fields`, which may also override (e.g. a clause id without its piece suffix)."""
        shared = {
            "id": passage.id,
            "label": passage.label,
            "locator": passage.locator,
            "url": passage.url,
            "lang": passage.lang,
            "order": passage.order,
        }
        return cls(**(shared | fields))


class QuotedClause(CitedClause):
    """A cited clause with its verbatim text (`Passage.text`, unless `fields` give e.g. the
    joined pieces of a split clause)."""

    text: str

    @classmethod
    def from_passage(cls, passage: Passage, **fields: Any) -> Self:
        return super().from_passage(passage, **({"text": passage.text} | fields))
