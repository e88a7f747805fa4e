-- The events mart in GDELT 2.0 event-table column names, for tools that expect
-- them (compile with `dbt compile --select gdelt_events_export`). Fields that
-- Newswire does not produce (actor religion/ethnic codes, geo feature ids,
-- ADM codes, source URL per mention) are left out; negated events are dropped
-- because GDELT has no negation.

with

events as (
    select * from {{ ref('events') }}
    where not is_negated
),

articles as (
    select * from {{ ref('articles') }}
),

final as (
    select
        events.event_id as globaleventid,
        cast(strftime(events.event_date, '%Y%m%d') as integer) as sqldate,
        events.actor1_code,
        events.actor1_name,
        events.actor1_country as actor1_country_code,
        events.actor2_code,
        events.actor2_name,
        events.actor2_country as actor2_country_code,
        events.is_root_event,
        events.event_code,
        events.event_base_code,
        events.event_root_code,
        events.quad_class,
        events.goldstein as goldstein_scale,
        events.num_mentions,
        events.num_sources,
        events.num_articles,
        events.tone as avg_tone,
        events.action_geo_name as action_geo_fullname,
        events.action_geo_country as action_geo_country_code,
        events.action_geo_lat,
        events.action_geo_lon as action_geo_long,
        cast(strftime(events.first_reported_at, '%Y%m%d%H%M%S') as bigint) as dateadded,
        articles.article_url as source_url
    from events
    left join articles on events.first_article_id = articles.article_id
)

select * from final
