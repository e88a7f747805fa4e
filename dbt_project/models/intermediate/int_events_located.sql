-- One row per selected event mention (int_events_selected) with the place of
-- the action, as GDELT's ActionGeo: the place mention of the sentence nearest
-- to the verb, else the article's dateline ("TOKYO (Reuters) -"), else the
-- article's first place.

with

selected as (
    select * from {{ ref('int_events_selected') }}
    where {{ incremental_filter(relation=ref('int_events_selected')) }}
),

places as (
    select * from {{ ref('int_place_mentions_geocoded') }}
    where {{ incremental_filter(relation=ref('int_place_mentions_geocoded')) }}
),

sentences as (
    select * from {{ ref('int_sentences_classified') }}
    where {{ incremental_filter(relation=ref('int_sentences_classified')) }}
),

sentence_place as (
    -- the place mention of the sentence nearest to the verb
    select
        selected.predicate_id,
        places.place_name,
        places.country_iso3,
        places.lat,
        places.lon
    from selected
    inner join places on selected.sentence_id = places.sentence_id
    qualify row_number() over (
        partition by selected.predicate_id
        order by
            abs((places.start_char + places.end_char) / 2.0 - selected.verb_start),
            places.start_char, places.place_name, places.country_iso3
    ) = 1
),

article_place as (
    -- else the dateline (an upper-case place in the first 40 characters of a
    -- body sentence), else the first place of the article
    select
        places.article_id,
        places.place_name,
        places.country_iso3,
        places.lat,
        places.lon
    from places
    inner join sentences on places.sentence_id = sentences.sentence_id
    qualify row_number() over (
        partition by places.article_id
        order by
            case
                when
                    sentences.section = 'body' and places.mention_text = upper(places.mention_text)
                    and places.start_char - sentences.start_char < 40 then 0
                else 1
            end,
            places.start_char, places.place_name, places.country_iso3
    ) = 1
),

final as (
    select
        selected.*,
        coalesce(sentence_place.place_name, article_place.place_name) as action_geo_name,
        coalesce(sentence_place.country_iso3, article_place.country_iso3) as action_geo_country,
        coalesce(sentence_place.lat, article_place.lat) as action_geo_lat,
        coalesce(sentence_place.lon, article_place.lon) as action_geo_lon,
        case
            when sentence_place.place_name is not null then 'sentence'
            when article_place.place_name is not null then 'article'
        end as action_geo_source
    from selected
    left join sentence_place on selected.predicate_id = sentence_place.predicate_id
    left join article_place on selected.article_id = article_place.article_id
)

select * from final
