-- One row per event: event mentions sharing (event_date, actor1, actor2,
-- event_code, is_negated) are one event, however many articles, publishers or
-- wire agencies report it. Descriptive attributes come from the first mention
-- (earliest article, then lead sentences first, then document order).

with

event_mentions as (
    select * from {{ ref('int_events_coded') }}
    where {{ incremental_filter('events', relation=ref('int_events_coded')) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_id
            order by
                reported_at asc, article_id asc, is_lead desc, sentence_no asc, verb_start asc,
                event_mention_id asc
        ) as mention_rank
    from event_mentions
),

aggregated as (
    select
        event_id,
        count(distinct sentence_id) as num_mentions,
        count(distinct story_cluster_id) as num_articles,
        count(distinct source_name) as num_sources,
        count(distinct article_id) as num_article_copies,
        bool_or(is_lead) as is_root_event,
        round(avg(tone), 3) as tone,
        min(reported_at) as first_reported_at,
        max(reported_at) as last_reported_at,
        list(distinct source_name order by source_name) as source_names
    from event_mentions
    group by event_id
),

first_mention as (
    select * from ranked
    where mention_rank = 1
),

final as (
    select
        first_mention.event_id,
        first_mention.event_date,
        first_mention.event_date_source,
        first_mention.actor1_name,
        first_mention.actor1_code,
        first_mention.actor1_country_iso3 as actor1_country,
        first_mention.actor1_entity_id,
        first_mention.actor2_name,
        first_mention.actor2_code,
        first_mention.actor2_country_iso3 as actor2_country,
        first_mention.actor2_entity_id,
        first_mention.event_code,
        first_mention.event_base_code,
        first_mention.event_root_code,
        first_mention.event_label,
        first_mention.quad_class,
        first_mention.goldstein,
        first_mention.is_negated,
        first_mention.modality,
        first_mention.coding_method,
        first_mention.action_geo_name,
        first_mention.action_geo_country,
        first_mention.action_geo_lat,
        first_mention.action_geo_lon,
        aggregated.tone,
        aggregated.is_root_event,
        aggregated.num_mentions,
        aggregated.num_articles,
        aggregated.num_sources,
        aggregated.num_article_copies,
        aggregated.source_names,
        first_mention.article_id as first_article_id,
        first_mention.sentence_text,
        aggregated.first_reported_at,
        aggregated.last_reported_at
    from first_mention
    inner join aggregated on first_mention.event_id = aggregated.event_id
)

select * from final
