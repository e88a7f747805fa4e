-- The events whose rows int_events_deduplicated and marts.events rebuild in
-- this run: every event with a mention in an article of int_event_articles_changed,
-- as coded now or as published by the last build (marts.event_mentions, read by
-- name before this build replaces it), so an event that lost a mention, or all
-- of them, is rebuilt or removed too.

{%- set mentions_relation = newswire_existing_relation('marts', 'event_mentions') %}

with

changed as (
    select article_id from {{ ref('int_event_articles_changed') }}
),

current_events as (
    select coded.event_id
    from {{ ref('int_events_coded') }} as coded
    inner join changed on coded.article_id = changed.article_id
),

previous_events as (
    {%- if mentions_relation is not none %}
        select previous.event_id
        from {{ mentions_relation }} as previous
        inner join changed on previous.article_id = changed.article_id
    {%- else %}
        select cast(null as varchar) as event_id
        where false
    {%- endif %}
),

final as (
    select event_id from current_events
    union
    select event_id from previous_events
)

select * from final
