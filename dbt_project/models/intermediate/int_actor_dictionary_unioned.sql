-- The CAMEO actor dictionary: cameo_actors plus the hand-maintained
-- actor_overlay (same columns + notes), one row per alias and validity window.
-- Overlay rows take precedence over the Phoenix dictionaries.

with

actors as (
    select
        actor_alias,
        actor_name,
        actor_code,
        country_iso3,
        valid_from,
        valid_to,
        source
    from {{ ref('cameo_actors') }}
),

overlay as (
    select
        actor_alias,
        actor_name,
        actor_code,
        country_iso3,
        valid_from,
        valid_to,
        source
    from {{ ref('actor_overlay') }}
),

unioned as (
    select
        *,
        'cameo_actors' as seed_name
    from actors
    union all
    select
        *,
        'actor_overlay' as seed_name
    from overlay
),

final as (
    select
        lower(trim(actor_alias)) as actor_alias,
        actor_name,
        upper(trim(actor_code)) as actor_code,
        nullif(trim(country_iso3), '') as country_iso3,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        source,
        seed_name,
        -- lower rank wins: overlay first, then bounded validity windows
        case when source = 'overlay' or seed_name = 'actor_overlay' then 0 else 1 end as source_rank
    from unioned
    where actor_alias is not null and actor_code is not null
    qualify row_number() over (
        partition by lower(trim(actor_alias)), upper(trim(actor_code)), valid_from, valid_to
        order by case when seed_name = 'actor_overlay' then 0 else 1 end
    ) = 1
)

select * from final
