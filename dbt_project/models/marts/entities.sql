-- One row per canonical entity across all articles: countries (Japan, Japanese
-- and Tokyo-as-Japan share one), dictionary actors (Shinzo Abe / Abe), else the
-- label and canonical text.

with

mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
    where
        is_named_entity
        and {{ incremental_filter('entities') }}
),

label_counts as (
    select
        entity_id,
        entity_label,
        entity_canonical_name,
        count(*) as n_mentions
    from mentions
    group by entity_id, entity_label, entity_canonical_name
),

labels as (
    -- the most frequent label and name of the entity
    select
        entity_id,
        entity_label,
        entity_canonical_name
    from label_counts
    qualify row_number() over (
        partition by entity_id
        order by n_mentions desc, entity_label asc, entity_canonical_name asc
    ) = 1
),

actor_code_counts as (
    select
        entity_id,
        actor_code,
        actor_country_iso3,
        count(*) as n_mentions,
        max(reported_at) as last_reported_at
    from mentions
    where actor_code is not null
    group by entity_id, actor_code, actor_country_iso3
),

actor_codes as (
    -- the most frequent actor code among the entity's mentions (latest wins ties)
    select
        entity_id,
        actor_code,
        actor_country_iso3
    from actor_code_counts
    qualify row_number() over (
        partition by entity_id
        order by n_mentions desc, last_reported_at desc, actor_code asc
    ) = 1
),

aggregated as (
    select
        entity_id,
        any_value(entity_key) as entity_key,
        max(country_iso3) as country_iso3,
        list(distinct normalized_text order by normalized_text) as aliases,
        count(*) as mention_count,
        count(distinct article_id) as article_count,
        min(reported_at) as first_seen_at,
        max(reported_at) as last_seen_at
    from mentions
    group by entity_id
),

final as (
    select
        aggregated.entity_id,
        labels.entity_canonical_name as canonical_name,
        labels.entity_label as entity_type,
        aggregated.entity_key,
        coalesce(aggregated.country_iso3, actor_codes.actor_country_iso3) as country_iso3,
        actor_codes.actor_code,
        aggregated.aliases,
        aggregated.mention_count,
        aggregated.article_count,
        aggregated.first_seen_at,
        aggregated.last_seen_at
    from aggregated
    inner join labels on aggregated.entity_id = labels.entity_id
    left join actor_codes on aggregated.entity_id = actor_codes.entity_id
)

select * from final
