-- One row per event per sentence per article: where each event was reported.

with

event_mentions as (
    select * from {{ ref('int_events_coded') }}
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
        published_at
    from event_mentions
)

select * from final
