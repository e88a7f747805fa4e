"""Arrow schemas of the tables in DuckDB's `raw` schema.

One place defines them so that the parsers, the NLP stage, the Parquet writer,
the DuckDB loader and the dbt sources all agree on names and types.
"""

from __future__ import annotations

import pyarrow as pa

#: One row per article parsed from an input file.
ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),  # sha256(input_sha256 + ":" + item_no)[:16]
        ("input_sha256", pa.string()),  # sha256 of the input file's bytes
        ("input_path", pa.string()),  # path of the input file as discovered
        ("item_no", pa.int32()),  # position of the article in its input (0 for single-article files)
        ("source_format", pa.string()),  # text | html | json | warc
        ("url", pa.string()),
        ("title", pa.string()),
        ("body", pa.string()),  # cleaned main text, paragraphs separated by "\n\n"
        ("captions", pa.list_(pa.string())),  # image captions separated from the body
        ("author", pa.string()),
        ("publisher", pa.string()),  # site or outlet, e.g. "The Moscow Times"
        ("wire_agency", pa.string()),  # e.g. "Reuters", "AP", "AFP"; null when none
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("published_date_source", pa.string()),  # dateline | caption | meta | json | warc_date | null
        ("language", pa.string()),  # ISO 639-1
        ("word_count", pa.int32()),
        ("body_sha256", pa.string()),  # sha256 of the normalised body: exact duplicates
        ("story_cluster_id", pa.string()),  # near-duplicate cluster (syndicated copies)
        ("parser_version", pa.string()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)

#: One row per input file seen in the inbox, loaded or rejected.
INPUTS = pa.schema(
    [
        ("input_sha256", pa.string()),
        ("input_path", pa.string()),
        ("size_bytes", pa.int64()),
        ("detected_format", pa.string()),
        ("status", pa.string()),  # loaded | rejected | partial
        ("articles_loaded", pa.int32()),
        ("items_rejected", pa.int32()),
        ("items_skipped", pa.int32()),  # WARC records that are not HTML pages (redirects, images, ...)
        ("run_id", pa.string()),
        ("seen_at", pa.timestamp("us", tz="UTC")),
    ]
)

#: One row per rejected input or rejected item inside an input.
REJECTIONS = pa.schema(
    [
        ("input_sha256", pa.string()),
        ("input_path", pa.string()),
        ("item_no", pa.int32()),  # null when the whole input is rejected
        ("reason_code", pa.string()),  # e.g. empty_file, binary_file, malformed_json
        ("reason", pa.string()),  # human-readable detail
        ("run_id", pa.string()),
        ("rejected_at", pa.timestamp("us", tz="UTC")),
    ]
)

#: NLP stage. Offsets are character offsets into `nlp_text(title, body)`,
#: i.e. the title, a blank line, then the body (see newswire.nlp.document_text).
SENTENCES = pa.schema(
    [
        ("article_id", pa.string()),
        ("sentence_no", pa.int32()),  # 0-based, in document order; the title is sentence 0
        ("section", pa.string()),  # title | body
        ("paragraph_no", pa.int32()),  # 0 for the title, 1.. for body paragraphs
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("text", pa.string()),
    ]
)

ENTITY_MENTIONS = pa.schema(
    [
        ("article_id", pa.string()),
        ("sentence_no", pa.int32()),
        ("mention_no", pa.int32()),  # 0-based within the article
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("text", pa.string()),
        ("label", pa.string()),  # spaCy label: PERSON, GPE, ORG, NORP, LOC, ...
        ("normalized_text", pa.string()),  # cleaned surface form, e.g. "Vladimir Putin" for "[Vladimir] Putin"
        ("head_lemma", pa.string()),
        ("canonical_text", pa.string()),  # document-level link: "Shinzo Abe" for a later "Abe"
        ("source", pa.string()),  # model | gazetteer | rule
    ]
)

PREP_ARG = pa.struct(
    [
        ("preposition", pa.string()),
        ("text", pa.string()),
        ("head_lemma", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
    ]
)

PREDICATES = pa.schema(
    [
        ("article_id", pa.string()),
        ("sentence_no", pa.int32()),
        ("predicate_no", pa.int32()),  # 0-based within the article
        ("verb_lemma", pa.string()),  # the content verb, after the control chain
        ("verb_text", pa.string()),
        ("verb_start", pa.int32()),
        ("verb_end", pa.int32()),
        ("particle", pa.string()),  # e.g. "on" in "signed on"
        ("is_negated", pa.bool_()),
        ("modality", pa.string()),  # null | will | may | threaten | want | seek | ...
        ("control_chain", pa.string()),  # e.g. "pledge>improve"; null when no control verb
        ("control_lemmas", pa.list_(pa.string())),
        ("voice", pa.string()),  # active | passive (passive normalised: agent is the subject)
        ("subject_text", pa.string()),
        ("subject_head_lemma", pa.string()),
        ("subject_start", pa.int32()),
        ("subject_end", pa.int32()),
        # canonical name of the subject: the linked full name ("Shinzo Abe" for "Abe")
        # or, for a pronoun, the most recent compatible mention; null when unknown
        ("subject_resolved_text", pa.string()),
        # for a pronoun or role-noun subject: the span it refers to (an earlier mention,
        # or the speaker of a reported clause); actors are resolved from this span
        ("subject_antecedent_start", pa.int32()),
        ("subject_antecedent_end", pa.int32()),
        ("subject_antecedent_head_lemma", pa.string()),
        ("object_text", pa.string()),
        ("object_head_lemma", pa.string()),
        ("object_start", pa.int32()),
        ("object_end", pa.int32()),
        ("prep_args", pa.list_(PREP_ARG)),
        # indirect object of a ditransitive verb ("gave Tanzania a grant")
        ("recipient_text", pa.string()),
        ("recipient_head_lemma", pa.string()),
        ("recipient_start", pa.int32()),
        ("recipient_end", pa.int32()),
        # the clause the verb heads: main | complement | purpose | adverbial | relative |
        # participle | prepositional | subject | other; the verb governing it; the word
        # introducing it ("after", "to", "by")
        ("clause_type", pa.string()),
        ("governor_verb_start", pa.int32()),
        ("subordinator", pa.string()),
    ]
)

#: Fingerprints of the lines of each text-dump page, for per-publisher template statistics.
LINE_FINGERPRINTS = pa.schema(
    [
        ("article_id", pa.string()),
        ("publisher", pa.string()),
        ("line_fingerprint", pa.string()),
    ]
)

RAW_TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "inputs": INPUTS,
    "rejections": REJECTIONS,
    "sentences": SENTENCES,
    "entity_mentions": ENTITY_MENTIONS,
    "predicates": PREDICATES,
    "line_fingerprints": LINE_FINGERPRINTS,
}
