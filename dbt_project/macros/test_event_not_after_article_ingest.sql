{#- Fails for every event mention whose event is dated after the UTC day its article
    was loaded: a report cannot describe an event that had not happened when it
    arrived, so such a date is a resolution error (a weekday resolved forwards, a
    bad publication date).

    `model` holds event_id and article_id (event_mentions), `events` event_id and
    event_date, `articles` article_id and ingested_at. The mentions are scoped by
    get_where_subquery (macros/test_scope.sql); only their events and articles are read. -#}
{% test event_not_after_article_ingest(model, events, articles) %}
with

checked as (
    select * from {{ model }}
),

checked_events as (
    select
        event_id,
        event_date
    from {{ events }}
    where event_id in (select event_id from checked)
),

checked_articles as (
    select
        article_id,
        cast(timezone('UTC', ingested_at) as date) as ingested_date
    from {{ articles }}
    where article_id in (select article_id from checked)
)

select
    checked.*,
    checked_events.event_date,
    checked_articles.ingested_date
from checked
inner join checked_events on checked.event_id = checked_events.event_id
inner join checked_articles on checked.article_id = checked_articles.article_id
where checked_events.event_date > checked_articles.ingested_date
{% endtest %}
