-- Named-entity mentions (PERSON, ORG, GPE, NORP, LOC, ...) with their resolved
-- entity and actor code. Numeric and date mentions are left out.
-- depends_on: {{ ref('int_entities_changed') }}
-- depends_on: {{ ref('entities') }}

with

mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
    where
        is_named_entity
        and {{ incremental_filter('articles', relation=ref('int_entity_mentions_resolved')) }}
),

final as (
    select
        entity_mention_id,
        entity_id,
        article_id,
        sentence_id,
        sentence_no,
        mention_no,
        start_char,
        end_char,
        mention_text,
        normalized_text,
        canonical_text,
        entity_label,
        country_iso3,
        actor_code,
        actor_code_source,
        actor_country_iso3,
        reported_at,
        extraction_source
    from mentions
)

select * from final
