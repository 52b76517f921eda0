"""The query understood once: one `AnalysedQuery` per search, built before any signal runs
and handed to every signal and to fusion, so that document mentions, clause references,
termbase expansions and the text each encoder sees are worked out in one place."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .analysis import analyse, query_language
from .dictionary import english_glosses
from .references import ClauseReference, DocumentMentions, clause_references, without_references
from .termbase import Term, Termbase, load_termbase
from .times import NamedTimes, named_times

# Questions about the title block, the dates or the references of a document want exactly
# the clauses the front-matter prior would otherwise push down: its title, symbol, date,
# session and agenda item, and the documents it cites, whatever words the question uses for
# them ("sources", "background papers", "does it cite", "based on"). "called upon/for" is
# operative language, not a name.
_ASKS_FOR_FRONT_MATTER = re.compile(
    r"\b(?:title[sd]?|entitled|called(?!\s+(?:upon|on|for)\b)|named|dated?|"
    r"when\s+(?:was|were|did)\b.*\b(?:adopt|issu|publish)\w*|adopted\s+on|issued\s+on|"
    r"referenc\w*|cit(?:e[sd]?|ing|ation)|sources?|bibliograph\w*|"
    r"background\s+(?:papers?|documents?|documentation|material)|"
    r"(?:documents?|resolutions?|texts?|papers?|decisions?)\s+(?:listed|referred|consulted|used|drawn|relied|based)|"
    r"based\s+on\s+which|agenda\s+items?|symbol)\b|"
    r"标题|题为|名称|日期|何时通过|通过日期|参考|引用|援引|来源|出处|依据|背景文件|文献|议程项目|文号",
    re.IGNORECASE,
)

# A question that names a year or a session (times.py), or asks about sessions at all,
# wants that session's text, not the latest session's.
_ASKS_ABOUT_SESSIONS = re.compile(r"\bsessions?\b|届会", re.IGNORECASE)


@dataclass(frozen=True)
class AnalysedQuery:
    """Everything the signals and fusion need to know about one query."""

    text: str  # the query as the user typed it (stripped)
    language: str  # 'en' or 'zh' (query_language)
    mentions: tuple[tuple[str, int], ...]  # (doc id, position) of each document the query names
    clause_references: tuple[ClauseReference, ...]  # clauses it names explicitly, in order
    searchable: str  # the text the signals match: word names of named documents blanked out
    bm25_tokens: tuple[str, ...]  # BM25 tokens of `searchable` (and of its glosses)
    expansions: tuple[str, ...]  # termbase equivalents in the corpus languages
    expansion_tokens: tuple[str, ...]  # BM25 tokens of the expansions
    encoder_texts: Mapping[str, str] = field(default_factory=dict)  # signal -> text its encoder embeds
    asks_for_front_matter: bool = False  # titles, dates, references asked for explicitly
    asks_for_session: bool = False  # a year or a session named: no preference for the latest
    times: NamedTimes = NamedTimes()  # the years and sessions it names (a soft constraint)
    # The termbase gave the query forms in another corpus language (it knows the words the
    # other language uses); cross-lingual feedback is for the queries it does not cover.
    translated: bool = False
    glosses: tuple[str, ...] = ()  # a Chinese question's words in English (dictionary.py)
    # The termbase's forms of the terms the question says outside the names of the documents
    # it names: with its own tokens, what may name a document by its title.
    unnamed_expansion_tokens: tuple[str, ...] = ()
    # It names clauses and asks nothing more of them ("What does paragraph 121 of
    # A/RES/80/173 say?", "GDC para 8"): their text is the answer, read in document order.
    quotes_clauses: bool = False

    @property
    def named_documents(self) -> frozenset[str]:
        return frozenset(doc for doc, _ in self.mentions)

    @property
    def match_tokens(self) -> frozenset[str]:
        """Every BM25 token a passage may match: the query's own and its expansions'."""
        return frozenset(self.bm25_tokens) | frozenset(self.expansion_tokens)

    @property
    def title_tokens(self) -> frozenset[str]:
        """The tokens that may name a document by its title's words: the question's own and
        the expansions of its terms, the names of the documents it names left out ("the
        WSIS+20成果文件" names A/RES/80/173; its expansion "World Summit on the Information
        Society" is no title of a further document)."""
        return frozenset(self.bm25_tokens) | frozenset(self.unnamed_expansion_tokens)


@dataclass(frozen=True)
class QueryOptions:
    """The parts of query understanding that evaluation can switch off."""

    strip_mentions: bool = True  # signals ignore the word names (not symbols) of named documents
    termbase: bool = True  # expand the query with the termbase's equivalents (BM25 and encoders)
    expand_dense: bool = True  # also hand the equivalents to the encoders
    dictionary: bool = True  # Chinese words carried into English for BM25 (dictionary.py)


class QueryAnalyser:
    """Builds the `AnalysedQuery` of a query over one index (its documents and languages)."""

    def __init__(
        self,
        mentions: DocumentMentions,
        corpus_languages: Collection[str],
        anchors: Callable[[str], frozenset[str]] | None = None,
    ) -> None:
        """`anchors`: a document's clause anchors, to anchor the clauses a query names the
        way the document does (references.clause_references)."""
        self.mentions = mentions
        self.corpus_languages = frozenset(corpus_languages)
        self.anchors = anchors

    def clause_references(self, query: str) -> tuple[ClauseReference, ...]:
        """The clauses `query` names (the part of `analyse` that needs no termbase)."""
        text = query.strip()
        return self._references(text, self.mentions.spans(text))

    def _references(self, text: str, spans: Sequence[tuple[str, int, int]]) -> tuple[ClauseReference, ...]:
        return tuple(clause_references(text, spans, self.anchors, self.mentions.annexes))

    def analyse(
        self,
        query: str,
        encoder_languages: Mapping[str, frozenset[str] | None],
        options: QueryOptions | None = None,
    ) -> AnalysedQuery:
        """`encoder_languages` maps each dense signal to search with to the languages its
        encoder knows (None = multilingual): the text it sees is expanded only into those."""
        options = options or QueryOptions()
        text = query.strip()
        spans = self.mentions.spans(text)
        mentions = [(doc_id, start) for doc_id, start, _ in spans]
        searchable = self.mentions.without_mentions(text) if options.strip_mentions else text
        # Expanded from the whole query: a named document's equivalents ("Council report" ->
        # 理事会, 报告) are what carries an English question to Chinese text. Only into the
        # languages the corpus is written in: other forms match nothing. The termbase is
        # searched once per distinct text (the query; the searchable text only when mentions
        # were stripped from it); each encoder then takes the forms in its languages.
        termbase = load_termbase() if options.termbase else None
        terms = termbase.find(text) if termbase else []
        expansions = Termbase.forms(terms, text, self.corpus_languages)
        # The terms said outside the names of documents the question names.
        unnamed_terms: list[Term] = []
        if termbase:
            unnamed_terms = terms if searchable == text else termbase.find(searchable)
        dense_terms = unnamed_terms if options.expand_dense else []
        encoder_texts = {}
        for signal, languages in encoder_languages.items():
            known = self.corpus_languages if languages is None else self.corpus_languages & languages
            extra = Termbase.forms(dense_terms, searchable, known)
            encoder_texts[signal] = searchable + ("\n" + "; ".join(extra) if extra else "")
        language = query_language(text)
        # A Chinese question's English glosses are its own words in English, not expansions:
        # they weigh in BM25 as the question's words do.
        glosses: list[str] = []
        if options.dictionary and language == "zh" and "en" in self.corpus_languages:
            glosses = english_glosses(searchable)
        times = named_times(text)
        references = self._references(text, spans)
        return AnalysedQuery(
            text=text,
            language=language,
            mentions=tuple(mentions),
            clause_references=references,
            searchable=searchable,
            bm25_tokens=tuple(analyse(searchable)) + tuple(t for g in glosses for t in analyse(g)),
            glosses=tuple(glosses),
            expansions=tuple(expansions),
            expansion_tokens=tuple(tok for form in expansions for tok in analyse(form)),
            encoder_texts=encoder_texts,
            asks_for_front_matter=bool(_ASKS_FOR_FRONT_MATTER.search(text)),
            asks_for_session=bool(times) or bool(_ASKS_ABOUT_SESSIONS.search(text)),
            times=times,
            translated=bool(Termbase.forms(terms, text, self.corpus_languages - {language})),
            quotes_clauses=bool(references) and quotes_only(without_references(text, spans)),
            unnamed_expansion_tokens=tuple(
                tok
                for form in Termbase.forms(unnamed_terms, searchable, self.corpus_languages)
                for tok in analyse(form)
            ),
        )


# The words with which a question asks only what a clause says ("What does it say?", "Quote
# ...", "讲了什么", "的内容是什么").
_QUOTING_TOKENS = frozenset(
    analyse(
        "say says said state states stated provide provides contain contains read reads text quote wording verbatim"
    )
    + analyse("讲了什么 说了什么 的内容是什么 规定了什么 写了什么 原文 全文 引用")
)


def quotes_only(rest: str) -> bool:
    """Whether a question that names clauses asks nothing more of them: `rest`, its text
    without the documents' and clauses' names, holds no word but those that ask what they
    say ("What does paragraph 121 of A/RES/80/173 say?"; not "... say about
    cyberbullying?", nor "What does paragraph 93 reaffirm on ICT?")."""
    return all(t in _QUOTING_TOKENS or t.isdigit() for t in analyse(rest))


def spelled_out(analysed: AnalysedQuery, names: Sequence[str]) -> AnalysedQuery:
    """`analysed` with the names its acronyms stand for ("UNDOF": "United Nations
    Disengagement Observer Force", which the documents write and the acronym's own
    documents never abbreviate) as the question's own words, for BM25 and every encoder."""
    if not names:
        return analysed
    words = "; ".join(names)
    return replace(
        analysed,
        bm25_tokens=analysed.bm25_tokens + tuple(analyse(words)),
        encoder_texts={signal: f"{text}\n{words}" for signal, text in analysed.encoder_texts.items()},
    )
