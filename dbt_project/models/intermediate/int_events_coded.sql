-- One row per event mention with the key that identifies its event across
-- articles (event_id) and the codebook attributes of its code. A mention from
-- an article that states no publication date takes the date and actor codes of
-- the one dated event that corroborates it, if there is exactly one. Reads
-- int_events_located; event_articles scope (int_event_articles_changed)
-- because corroboration ties mentions of different articles.

with

located as (
    select * from {{ ref('int_events_located') }}
    where {{ incremental_filter('event_articles', relation=ref('int_events_located')) }}
),

event_codes as (
    select * from {{ ref('cameo_event_codes') }}
),

mentions as (
    select
        located.*,
        event_codes.event_base_code
    from located
    inner join event_codes on located.event_code = event_codes.event_code
),

corroboration_candidates as (
    -- A mention from an article that states no publication date has an unknown
    -- event date (the load date is only a placeholder, and actor codes were
    -- checked against it). It is the same event as a mention in a dated
    -- article with the same actor entities (canonical entities, not codes,
    -- which depend on the date), the same event base code and negation. Only
    -- dyadic events are matched: a one-actor event ("Abe said ...") is too
    -- generic to identify.
    select distinct
        undated.predicate_id,
        dated.event_date,
        dated.event_code,
        dated.actor1_code,
        dated.actor1_country_iso3,
        dated.actor2_code,
        dated.actor2_country_iso3
    from mentions as undated
    inner join mentions as dated
        on
            undated.actor1_entity_id = dated.actor1_entity_id
            and undated.actor2_entity_id = dated.actor2_entity_id
            and undated.event_base_code = dated.event_base_code
            and undated.is_negated = dated.is_negated
            and undated.article_id != dated.article_id
    where
        not undated.is_published_at_known
        and dated.is_published_at_known
),

corroboration as (
    -- only an unambiguous match is taken (exactly one dated event); otherwise
    -- the mention keeps the load-date fallback
    select * from corroboration_candidates
    qualify count(*) over (partition by predicate_id) = 1
),

corroborated as (
    select
        mentions.* replace (
            corroboration.event_date as event_date,
            'corroborated' as event_date_source,
            corroboration.event_code as event_code,
            corroboration.actor1_code as actor1_code,
            corroboration.actor1_country_iso3 as actor1_country_iso3,
            corroboration.actor2_code as actor2_code,
            corroboration.actor2_country_iso3 as actor2_country_iso3
        )
    from mentions
    inner join corroboration on mentions.predicate_id = corroboration.predicate_id
),

uncorroborated as (
    select mentions.*
    from mentions
    left join corroboration on mentions.predicate_id = corroboration.predicate_id
    where corroboration.predicate_id is null
),

resolved as (
    select * from corroborated
    union all by name
    select * from uncorroborated
),

final as (
    select
        resolved.predicate_id as event_mention_id,
        {{ surrogate_key([
            'resolved.event_date',
            "coalesce(resolved.actor1_code, 'entity:' || resolved.actor1_entity_id)",
            "coalesce(resolved.actor2_code, 'entity:' || resolved.actor2_entity_id)",
            'resolved.event_code',
            'resolved.is_negated',
        ]) }} as event_id,
        resolved.* exclude (is_published_at_known, event_base_code),  -- noqa: RF02
        event_codes.event_base_code,
        event_codes.event_root_code,
        event_codes.event_label,
        event_codes.quad_class,
        event_codes.goldstein
    from resolved
    inner join event_codes on resolved.event_code = event_codes.event_code
)

select * from final
