-- Daily counts of affirmed (not negated) events between two known countries.
-- Incremental by day: a build recounts the days of the events it rebuilt.

with

events as (
    select * from {{ ref('events') }}
    where
        not is_negated
        and actor1_country is not null
        and actor2_country is not null
        and {{ incremental_filter('event_days', relation=ref('events')) }}
),

final as (
    select
        event_date,
        actor1_country,
        actor2_country,
        count(*) as event_count,
        cast(sum(num_mentions) as bigint) as mention_count,
        round(sum(goldstein), 3) as goldstein_sum,
        round(avg(goldstein), 3) as goldstein_avg,
        count(*) filter (where quad_class = 1) as verbal_cooperation_count,
        count(*) filter (where quad_class = 2) as material_cooperation_count,
        count(*) filter (where quad_class = 3) as verbal_conflict_count,
        count(*) filter (where quad_class = 4) as material_conflict_count
    from events
    group by event_date, actor1_country, actor2_country
)

select * from final
