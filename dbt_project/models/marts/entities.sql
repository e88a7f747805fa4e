-- One row per canonical entity across all articles: countries (Japan, Japanese
-- and Tokyo-as-Japan share one), dictionary actors (Shinzo Abe / Abe), else the
-- label and canonical text. Derived from the per-entity partial aggregates of
-- int_entity_stats, so rebuilding a popular entity does not re-read its mentions.

with

stats as (
    select * from {{ ref('int_entity_stats') }}
    where {{ incremental_filter('entities', relation=ref('int_entity_stats')) }}
),

label_counts as (
    select
        stats.entity_id,
        labels.entry.entity_label,
        labels.entry.entity_canonical_name,
        labels.entry.n_mentions
    from stats, unnest(stats.label_counts) as labels (entry)
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
        stats.entity_id,
        codes.entry.actor_code,
        codes.entry.actor_country_iso3,
        codes.entry.n_mentions,
        codes.entry.last_reported_at
    from stats, unnest(stats.actor_code_counts) as codes (entry)
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

final as (
    select
        stats.entity_id,
        labels.entity_canonical_name as canonical_name,
        labels.entity_label as entity_type,
        stats.entity_key,
        coalesce(stats.country_iso3, actor_codes.actor_country_iso3) as country_iso3,
        actor_codes.actor_code,
        stats.aliases,
        stats.mention_count,
        stats.article_count,
        stats.first_seen_at,
        stats.last_seen_at
    from stats
    inner join labels on stats.entity_id = labels.entity_id
    left join actor_codes on stats.entity_id = actor_codes.entity_id
)

select * from final
