-- The entities whose rows marts.entities rebuilds in this run: every entity
-- named in a changed article, as resolved now or as published by the last build
-- (marts.entity_mentions, read by name before this build replaces it).

{%- set mentions_relation = newswire_existing_relation('marts', 'entity_mentions') %}

with

changed as (
    select article_id from {{ ref('int_articles_changed') }}
),

current_entities as (
    select mentions.entity_id
    from {{ ref('int_entity_mentions_resolved') }} as mentions
    inner join changed on mentions.article_id = changed.article_id
    where mentions.is_named_entity and mentions.entity_id is not null
),

previous_entities as (
    {%- if mentions_relation is not none %}
        select previous.entity_id
        from {{ mentions_relation }} as previous
        inner join changed on previous.article_id = changed.article_id
    {%- else %}
        select cast(null as varchar) as entity_id
        where false
    {%- endif %}
),

final as (
    select entity_id from current_entities
    union
    select entity_id from previous_entities
)

select * from final
