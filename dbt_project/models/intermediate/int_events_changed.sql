-- The events whose rows int_events_deduplicated and marts.events rebuild in
-- this run: every event with a mention in an article of int_event_articles_changed,
-- as coded now or as published by the last build (marts.event_mentions, read by
-- name before this build replaces it), so an event that lost a mention, or all
-- of them, is rebuilt or removed too. With each event its date (part of its key),
-- the days marts.country_pair_daily rebuilds.

{%- set mentions_relation = newswire_existing_relation('marts', 'event_mentions') %}
{%- set events_relation = newswire_existing_relation('marts', 'events') %}

with

changed as (
    select article_id from {{ ref('int_event_articles_changed') }}
),

current_events as (
    select
        coded.event_id,
        coded.event_date
    from {{ ref('int_events_coded') }} as coded
    inner join changed on coded.article_id = changed.article_id
),

previous_events as (
    {%- if mentions_relation is not none and events_relation is not none %}
        select
            previous.event_id,
            events.event_date
        from {{ mentions_relation }} as previous
        inner join changed on previous.article_id = changed.article_id
        left join {{ events_relation }} as events on previous.event_id = events.event_id
    {%- else %}
        select
            cast(null as varchar) as event_id,
            cast(null as date) as event_date
        where false
    {%- endif %}
),

final as (
    select
        event_id,
        max(event_date) as event_date
    from (
        select * from current_events
        union all
        select * from previous_events
    ) as both_builds
    group by event_id
)

select * from final
