-- One row per event, GDELT-style. An event is (event_date, actor1, actor2,
-- event_code, is_negated): the same meeting reported by two publishers is one
-- event with num_sources = 2.

with

events as (
    select * from {{ ref('int_events_deduplicated') }}
    where {{ incremental_filter('events', relation=ref('int_events_deduplicated')) }}
),

event_codes as (
    select * from {{ ref('cameo_event_codes') }}
),

plover as (
    select
        cast(event_code as varchar) as event_code,
        plover_category,
        plover_mode
    from {{ ref('cameo_to_plover') }}
    qualify row_number() over (partition by event_code order by plover_category, plover_mode) = 1
),

final as (
    select
        events.event_id,
        events.event_date,
        events.event_date_source,
        events.actor1_name,
        events.actor1_code,
        events.actor1_country,
        events.actor1_entity_id,
        events.actor2_name,
        events.actor2_code,
        events.actor2_country,
        events.actor2_entity_id,
        events.event_code,
        events.event_base_code,
        events.event_root_code,
        events.event_label,
        events.quad_class,
        events.goldstein,
        coalesce(plover.plover_category, event_codes.plover_category) as plover_category,
        plover.plover_mode,
        events.is_negated,
        events.modality,
        events.coding_method,
        events.action_geo_name,
        events.action_geo_country,
        events.action_geo_lat,
        events.action_geo_lon,
        events.tone,
        events.is_root_event,
        events.num_mentions,
        events.num_articles,
        events.num_sources,
        events.source_names,
        events.first_article_id,
        events.sentence_text,
        events.first_reported_at,
        events.last_reported_at
    from events
    left join event_codes on events.event_code = cast(event_codes.event_code as varchar)
    left join plover on events.event_code = plover.event_code
)

select * from final
