-- Per-entity partial aggregates of the named mentions, from which marts.entities
-- is derived: counts, first and last seen, aliases, and the counts per label and
-- per actor code that pick the entity's name, type and code. Every aggregate
-- merges, so an incremental build that only adds articles adds the new articles'
-- mentions to the stored rows of the entities they name, and never reads the
-- older mentions of a popular entity. When articles were deleted the entities
-- they named are recounted from all their mentions (as on a full build).

{%- set articles_changed = ref('int_articles_changed') %}
{%- set merge = is_incremental() and newswire_only_new_articles(articles_changed) %}

with

mentions as (
    select
        entity_id,
        entity_key,
        entity_label,
        entity_canonical_name,
        country_iso3,
        actor_code,
        actor_country_iso3,
        normalized_text,
        article_id,
        reported_at
    from {{ ref('int_entity_mentions_resolved') }}
    where
        is_named_entity
        and {{ incremental_filter('entities') }}
        and {{ incremental_filter('articles', relation=ref('int_entity_mentions_resolved')) if merge else 'true' }}
),

stored as (
    -- the rows built before for the entities the new mentions name (merge only)
    {%- if merge %}
        select * from {{ this }}
        where entity_id in (select new_mentions.entity_id from mentions as new_mentions)
    {%- else %}
        select
            cast(null as varchar) as entity_id,
            cast(null as varchar) as entity_key,
            cast(null as varchar) as country_iso3,
            cast(null as varchar[]) as aliases,
            cast(null as bigint) as mention_count,
            cast(null as bigint) as article_count,
            cast(null as timestamptz) as first_seen_at,
            cast(null as timestamptz) as last_seen_at,
            cast(null as struct(
                entity_label varchar, entity_canonical_name varchar, n_mentions bigint
            )[]) as label_counts,
            cast(null as struct(
                actor_code varchar,
                actor_country_iso3 varchar,
                n_mentions bigint,
                last_reported_at timestamptz
            )[]) as actor_code_counts
        where false
    {%- endif %}
),

label_partials as (
    select
        entity_id,
        entity_label,
        entity_canonical_name,
        count(*) as n_mentions
    from mentions
    group by entity_id, entity_label, entity_canonical_name
    union all
    select
        stored.entity_id,
        labels.entry.entity_label,
        labels.entry.entity_canonical_name,
        labels.entry.n_mentions
    from stored, unnest(stored.label_counts) as labels (entry)
),

label_counts as (
    select
        entity_id,
        list(
            struct_pack(entity_label, entity_canonical_name, n_mentions)
            order by entity_label, entity_canonical_name
        ) as label_counts
    from (
        select
            entity_id,
            entity_label,
            entity_canonical_name,
            cast(sum(n_mentions) as bigint) as n_mentions
        from label_partials
        group by entity_id, entity_label, entity_canonical_name
    ) as summed
    group by entity_id
),

actor_code_partials as (
    select
        entity_id,
        actor_code,
        actor_country_iso3,
        count(*) as n_mentions,
        max(reported_at) as last_reported_at
    from mentions
    where actor_code is not null
    group by entity_id, actor_code, actor_country_iso3
    union all
    select
        stored.entity_id,
        codes.entry.actor_code,
        codes.entry.actor_country_iso3,
        codes.entry.n_mentions,
        codes.entry.last_reported_at
    from stored, unnest(stored.actor_code_counts) as codes (entry)
),

actor_code_counts as (
    select
        entity_id,
        list(
            struct_pack(actor_code, actor_country_iso3, n_mentions, last_reported_at)
            order by actor_code, actor_country_iso3
        ) as actor_code_counts
    from (
        select
            entity_id,
            actor_code,
            actor_country_iso3,
            cast(sum(n_mentions) as bigint) as n_mentions,
            max(last_reported_at) as last_reported_at
        from actor_code_partials
        group by entity_id, actor_code, actor_country_iso3
    ) as summed
    group by entity_id
),

alias_partials as (
    select
        entity_id,
        normalized_text
    from mentions
    union all
    select
        stored.entity_id,
        aliases.alias
    from stored, unnest(stored.aliases) as aliases (alias)
),

aliases as (
    select
        entity_id,
        list(distinct normalized_text order by normalized_text) as aliases
    from alias_partials
    group by entity_id
),

count_partials as (
    select
        entity_id,
        any_value(entity_key) as entity_key,
        max(country_iso3) as country_iso3,
        count(*) as mention_count,
        count(distinct article_id) as article_count,
        min(reported_at) as first_seen_at,
        max(reported_at) as last_seen_at
    from mentions
    group by entity_id
    union all
    select
        entity_id,
        entity_key,
        country_iso3,
        mention_count,
        article_count,
        first_seen_at,
        last_seen_at
    from stored
),

counts as (
    -- articles are disjoint between the stored rows and the new mentions
    select
        entity_id,
        any_value(entity_key) as entity_key,
        max(country_iso3) as country_iso3,
        cast(sum(mention_count) as bigint) as mention_count,
        cast(sum(article_count) as bigint) as article_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from count_partials
    group by entity_id
),

final as (
    select
        counts.entity_id,
        counts.entity_key,
        counts.country_iso3,
        aliases.aliases,
        counts.mention_count,
        counts.article_count,
        counts.first_seen_at,
        counts.last_seen_at,
        label_counts.label_counts,
        coalesce(actor_code_counts.actor_code_counts, []) as actor_code_counts
    from counts
    inner join aliases on counts.entity_id = aliases.entity_id
    inner join label_counts on counts.entity_id = label_counts.entity_id
    left join actor_code_counts on counts.entity_id = actor_code_counts.entity_id
)

select * from final
