-- Place mentions (GPE / LOC / FAC) with coordinates from the geo_places seed:
-- the mention's own name (a city or a country), else its country (countries
-- seed alias -> iso3 -> the country's row in geo_places).

with

mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
    where
        entity_label in ('GPE', 'LOC', 'FAC')
        and {{ incremental_filter('articles', relation=ref('int_entity_mentions_resolved')) }}
),

places as (
    select * from {{ ref('geo_places') }}
),

by_name as (
    select
        mentions.entity_mention_id,
        places.place_name,
        places.place_type,
        places.country_iso3,
        places.lat,
        places.lon
    from mentions
    inner join places
        on lower(places.alias) = regexp_replace(lower(trim(mentions.normalized_text)), '^the\s+', '')
),

by_country as (
    select
        mentions.entity_mention_id,
        places.place_name,
        places.place_type,
        places.country_iso3,
        places.lat,
        places.lon
    from mentions
    inner join places
        on
            mentions.country_iso3 = places.country_iso3
            and places.place_type = 'country'
    qualify row_number() over (partition by mentions.entity_mention_id order by places.population desc nulls last) = 1
),

final as (
    select
        mentions.entity_mention_id,
        mentions.article_id,
        mentions.sentence_id,
        mentions.start_char,
        mentions.end_char,
        mentions.mention_text,
        coalesce(by_name.place_name, by_country.place_name) as place_name,
        coalesce(by_name.place_type, by_country.place_type) as place_type,
        coalesce(by_name.country_iso3, by_country.country_iso3) as country_iso3,
        coalesce(by_name.lat, by_country.lat) as lat,
        coalesce(by_name.lon, by_country.lon) as lon,
        case when by_name.place_name is not null then 'name' else 'country' end as geocoded_by
    from mentions
    left join by_name on mentions.entity_mention_id = by_name.entity_mention_id
    left join by_country on mentions.entity_mention_id = by_country.entity_mention_id
    where coalesce(by_name.place_name, by_country.place_name) is not null
)

select * from final
