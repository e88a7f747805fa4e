-- One row per event per sentence per article: where each event was reported.
-- Two verbs of one sentence coding the same event count once (the first verb).
-- depends_on: {{ ref('int_events_changed') }}
-- depends_on: {{ ref('events') }}

with

event_mentions as (
    select * from {{ ref('int_events_coded') }}
    where {{ incremental_filter('event_articles', relation=ref('int_events_coded')) }}
    -- two predicates of one verb (split coordinated subjects) can code the same event:
    -- the mention id breaks the tie, so every build keeps the same one
    qualify row_number() over (partition by event_id, sentence_id order by verb_start asc, event_mention_id asc) = 1
),

final as (
    select
        event_mention_id,
        event_id,
        article_id,
        sentence_id,
        sentence_no,
        paragraph_no,
        is_lead,
        verb_start as start_char,
        verb_end as end_char,
        verb_text,
        verb_lemma,
        control_chain,
        sentence_text,
        event_code,
        pattern_id,
        coding_method,
        is_negated,
        modality,
        actor1_entity_mention_id,
        actor1_resolution,
        actor2_entity_mention_id,
        event_date_source,
        tone,
        source_name,
        reported_at
    from event_mentions
)

select * from final
