-- One row per coded predicate mention that can be an event: a CAMEO code, at
-- least one actor with an actor code, outside publisher boilerplate. Carries
-- the event date (relative weekday resolved), the action location and the key
-- that identifies the event across articles.

with

coded as (
    select * from {{ ref('int_predicates_coded') }}
),

actors as (
    select * from {{ ref('int_predicate_actors_resolved') }}
),

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
),

sentences as (
    select * from {{ ref('int_sentences_classified') }}
),

articles as (
    select * from {{ ref('stg_newswire__articles') }}
),

places as (
    select * from {{ ref('int_place_mentions_geocoded') }}
),

event_codes as (
    select * from {{ ref('cameo_event_codes') }}
),

joined as (
    select
        coded.predicate_id,
        coded.article_id,
        coded.sentence_id,
        sentences.sentence_no,
        sentences.paragraph_no,
        sentences.is_lead,
        sentences.is_boilerplate,
        sentences.sentence_text,
        sentences.event_date,
        sentences.event_date_source,
        sentences.tone,
        predicates.verb_text,
        predicates.verb_start,
        predicates.verb_end,
        coded.verb_lemma,
        coded.control_chain,
        coded.event_code,
        coded.pattern_id,
        coded.coding_method,
        coded.is_negated,
        coded.modality,
        actors.actor1_entity_mention_id,
        actors.actor1_entity_id,
        actors.actor1_name,
        actors.actor1_code,
        actors.actor1_country_iso3,
        actors.actor1_resolution,
        actors.actor2_entity_mention_id,
        actors.actor2_entity_id,
        actors.actor2_name,
        actors.actor2_code,
        actors.actor2_country_iso3,
        articles.reported_at,
        articles.source_name,
        articles.story_cluster_id
    from coded
    inner join predicates on coded.predicate_id = predicates.predicate_id
    inner join actors on coded.predicate_id = actors.predicate_id
    inner join sentences on coded.sentence_id = sentences.sentence_id
    inner join articles on coded.article_id = articles.article_id
    where
        not sentences.is_boilerplate
        and (actors.actor1_code is not null or actors.actor2_code is not null)
),

sentence_place as (
    -- the place mention of the sentence nearest to the verb
    select
        joined.predicate_id,
        places.place_name,
        places.country_iso3,
        places.lat,
        places.lon
    from joined
    inner join places on joined.sentence_id = places.sentence_id
    qualify row_number() over (
        partition by joined.predicate_id
        order by abs((places.start_char + places.end_char) / 2.0 - joined.verb_start), places.start_char
    ) = 1
),

article_place as (
    -- else the dateline ("TOKYO (Reuters) -": an upper-case place in the first
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
            places.start_char
    ) = 1
),

final as (
    select
        joined.predicate_id as event_mention_id,
        {{ surrogate_key([
            'joined.event_date',
            "coalesce(joined.actor1_code, 'entity:' || joined.actor1_entity_id)",
            "coalesce(joined.actor2_code, 'entity:' || joined.actor2_entity_id)",
            'joined.event_code',
            'joined.is_negated',
        ]) }} as event_id,
        joined.predicate_id,
        joined.article_id,
        joined.sentence_id,
        joined.sentence_no,
        joined.paragraph_no,
        joined.is_lead,
        joined.sentence_text,
        joined.verb_text,
        joined.verb_lemma,
        joined.verb_start,
        joined.verb_end,
        joined.control_chain,
        joined.event_date,
        joined.event_date_source,
        joined.event_code,
        event_codes.event_base_code,
        event_codes.event_root_code,
        event_codes.event_label,
        event_codes.quad_class,
        event_codes.goldstein,
        joined.pattern_id,
        joined.coding_method,
        joined.is_negated,
        joined.modality,
        joined.actor1_entity_mention_id,
        joined.actor1_entity_id,
        joined.actor1_name,
        joined.actor1_code,
        joined.actor1_country_iso3,
        joined.actor1_resolution,
        joined.actor2_entity_mention_id,
        joined.actor2_entity_id,
        joined.actor2_name,
        joined.actor2_code,
        joined.actor2_country_iso3,
        coalesce(sentence_place.place_name, article_place.place_name) as action_geo_name,
        coalesce(sentence_place.country_iso3, article_place.country_iso3) as action_geo_country,
        coalesce(sentence_place.lat, article_place.lat) as action_geo_lat,
        coalesce(sentence_place.lon, article_place.lon) as action_geo_lon,
        case
            when sentence_place.place_name is not null then 'sentence'
            when article_place.place_name is not null then 'article'
        end as action_geo_source,
        joined.tone,
        joined.reported_at,
        joined.source_name,
        joined.story_cluster_id
    from joined
    inner join event_codes on joined.event_code = event_codes.event_code
    left join sentence_place on joined.predicate_id = sentence_place.predicate_id
    left join article_place on joined.article_id = article_place.article_id
)

select * from final
