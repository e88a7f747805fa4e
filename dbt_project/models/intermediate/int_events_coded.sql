-- One row per coded predicate mention that can be an event: a CAMEO code, at
-- least one actor with an actor code, outside publisher boilerplate, and the
-- main event of its sentence (int_predicates_main_event: subordinate verbs
-- such as relative, purpose and participle clauses are not coded). Actors
-- come from int_predicate_actors_resolved, except: a demand-like verb without
-- an object actor targets its complement's subject ("demanded that the US
-- ..."), an obligation ("Sudan must return ...") is the speaker's demand, and
-- a protest without a target is aimed at the protesters' own government. Carries
-- the event date (relative weekday resolved), the action location and the key
-- that identifies the event across articles.

with

coded as (
    select * from {{ ref('int_predicates_coded') }}
    where {{ incremental_filter('event_articles') }}
),

actors as (
    select * from {{ ref('int_predicate_actors_resolved') }}
    where {{ incremental_filter('event_articles') }}
),

main_events as (
    select * from {{ ref('int_predicates_main_event') }}
    where
        is_main_event
        and {{ incremental_filter('event_articles', "regexp_replace(sentence_id, '-s[0-9]+$', '')") }}
),

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter('event_articles') }}
),

sentences as (
    select * from {{ ref('int_sentences_classified') }}
    where {{ incremental_filter('event_articles') }}
),

articles as (
    select * from {{ ref('stg_newswire__articles') }}
    where {{ incremental_filter('event_articles') }}
),

places as (
    select * from {{ ref('int_place_mentions_geocoded') }}
    where {{ incremental_filter('event_articles') }}
),

event_codes as (
    select * from {{ ref('cameo_event_codes') }}
),

sentence_verbs as (
    select
        predicates.predicate_id,
        predicates.sentence_id,
        predicates.verb_start,
        actors.actor1_entity_mention_id,
        actors.actor1_entity_id,
        actors.actor1_name,
        actors.actor1_code,
        actors.actor1_country_iso3,
        actors.actor1_resolution
    from predicates
    inner join actors on predicates.predicate_id = actors.predicate_id
),

complement_subject as (
    -- "The PRC demanded that the US cancel ...": an appeal, demand,
    -- disapproval, rejection or threat (var('complement_target_roots')) without
    -- an object actor is aimed at the subject of its complement clause, the
    -- nearest later verb of the sentence with a subject of its own
    select
        coded.predicate_id,
        complement.actor1_entity_mention_id,
        complement.actor1_entity_id,
        complement.actor1_name,
        complement.actor1_code,
        complement.actor1_country_iso3
    from coded
    inner join sentence_verbs as own on coded.predicate_id = own.predicate_id
    inner join sentence_verbs as complement
        on
            own.sentence_id = complement.sentence_id
            and own.verb_start < complement.verb_start
            and complement.actor1_resolution = 'span'
            and complement.actor1_entity_id is distinct from own.actor1_entity_id
    where list_contains({{ word_list(var('complement_target_roots')) }}, left(coded.event_code, 2))
    qualify row_number() over (
        partition by coded.predicate_id order by complement.verb_start, complement.actor1_entity_mention_id
    ) = 1
),

speaker as (
    -- "Russia said that Sudan must return the helicopter": an obligation
    -- ("must", coded as a demand) is the demand of the sentence's speaker,
    -- the subject of its statement verb (root 01); the obliged party is the target
    select
        coded.predicate_id,
        statement.actor1_entity_mention_id,
        statement.actor1_entity_id,
        statement.actor1_name,
        statement.actor1_code,
        statement.actor1_country_iso3
    from coded
    inner join sentence_verbs as own on coded.predicate_id = own.predicate_id
    inner join coded as statement_code
        on
            coded.sentence_id = statement_code.sentence_id
            and left(statement_code.event_code, 2) = '01'
    inner join sentence_verbs as statement
        on
            statement_code.predicate_id = statement.predicate_id
            and statement.actor1_entity_mention_id is not null
    where list_contains({{ word_list(var('obligation_modals')) }}, coded.control_lemma)
    qualify row_number() over (
        partition by coded.predicate_id
        order by
            abs(statement.verb_start - own.verb_start), statement.verb_start,
            statement.actor1_entity_mention_id
    ) = 1
),

domestic_target as (
    -- a protest (var('domestic_target_roots')) that names no target is aimed
    -- at the protesters' own government (CAMEO: demonstrations, strikes and
    -- riots are directed at the authorities): "Algerian landowners began a
    -- hunger strike" -> DZA -> DZAGOV
    select
        coded.predicate_id,
        left(actors.actor1_code, 3) || 'GOV' as actor2_code,
        actors.actor1_country_iso3 as actor2_country_iso3
    from coded
    inner join actors on coded.predicate_id = actors.predicate_id
    where
        list_contains({{ word_list(var('domestic_target_roots')) }}, left(coded.event_code, 2))
        and actors.actor2_entity_mention_id is null
        and actors.actor1_country_iso3 is not null
        and actors.actor1_code is not null
),

event_actors as (
    select
        actors.predicate_id,
        case
            when speaker.predicate_id is not null then speaker.actor1_entity_mention_id
            else actors.actor1_entity_mention_id
        end as actor1_entity_mention_id,
        case
            when speaker.predicate_id is not null then speaker.actor1_entity_id
            else actors.actor1_entity_id
        end as actor1_entity_id,
        case
            when speaker.predicate_id is not null then speaker.actor1_name
            else actors.actor1_name
        end as actor1_name,
        case
            when speaker.predicate_id is not null then speaker.actor1_code
            else actors.actor1_code
        end as actor1_code,
        case
            when speaker.predicate_id is not null then speaker.actor1_country_iso3
            else actors.actor1_country_iso3
        end as actor1_country_iso3,
        case
            when speaker.predicate_id is not null then 'speaker'
            else actors.actor1_resolution
        end as actor1_resolution,
        case
            when speaker.predicate_id is not null then actors.actor1_entity_mention_id
            when complement_subject.predicate_id is not null then complement_subject.actor1_entity_mention_id
            else actors.actor2_entity_mention_id
        end as actor2_entity_mention_id,
        case
            when speaker.predicate_id is not null then actors.actor1_entity_id
            when complement_subject.predicate_id is not null then complement_subject.actor1_entity_id
            else actors.actor2_entity_id
        end as actor2_entity_id,
        case
            when speaker.predicate_id is not null then actors.actor1_name
            when complement_subject.predicate_id is not null then complement_subject.actor1_name
            else actors.actor2_name
        end as actor2_name,
        case
            when speaker.predicate_id is not null then actors.actor1_code
            when complement_subject.predicate_id is not null then complement_subject.actor1_code
            when domestic_target.predicate_id is not null then domestic_target.actor2_code
            else actors.actor2_code
        end as actor2_code,
        case
            when speaker.predicate_id is not null then actors.actor1_country_iso3
            when complement_subject.predicate_id is not null then complement_subject.actor1_country_iso3
            when domestic_target.predicate_id is not null then domestic_target.actor2_country_iso3
            else actors.actor2_country_iso3
        end as actor2_country_iso3
    from actors
    left join speaker on actors.predicate_id = speaker.predicate_id
    left join complement_subject
        on
            actors.predicate_id = complement_subject.predicate_id
            and actors.actor2_entity_mention_id is null
    left join domestic_target on actors.predicate_id = domestic_target.predicate_id
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
        articles.is_published_at_known,
        articles.reported_at,
        articles.source_name,
        articles.story_cluster_id
    from coded
    inner join predicates on coded.predicate_id = predicates.predicate_id
    inner join event_actors as actors on coded.predicate_id = actors.predicate_id
    inner join main_events on coded.predicate_id = main_events.predicate_id
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

mentions as (
    select
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
        joined.is_published_at_known,
        joined.reported_at,
        joined.source_name,
        joined.story_cluster_id
    from joined
    inner join event_codes on joined.event_code = event_codes.event_code
    left join sentence_place on joined.predicate_id = sentence_place.predicate_id
    left join article_place on joined.article_id = article_place.article_id
),

corroboration_candidates as (
    -- A mention from an article that states no publication date has an unknown
    -- event date (the load date is only a placeholder, and actor codes were
    -- checked against it). It is the same event as a mention in a dated
    -- article with the same actor entities (canonical entities, not codes,
    -- which depend on the date), the same event base code and negation. Only
    -- dyadic events are matched: a one-actor event ("Abe said ...") is too
    -- generic to identify.
    select distinct
        undated.predicate_id,
        dated.event_date,
        dated.event_code,
        dated.actor1_code,
        dated.actor1_country_iso3,
        dated.actor2_code,
        dated.actor2_country_iso3
    from mentions as undated
    inner join mentions as dated
        on
            undated.actor1_entity_id = dated.actor1_entity_id
            and undated.actor2_entity_id = dated.actor2_entity_id
            and undated.event_base_code = dated.event_base_code
            and undated.is_negated = dated.is_negated
            and undated.article_id != dated.article_id
    where
        not undated.is_published_at_known
        and dated.is_published_at_known
),

corroboration as (
    -- only an unambiguous match is taken (exactly one dated event); otherwise
    -- the mention keeps the load-date fallback
    select * from corroboration_candidates
    qualify count(*) over (partition by predicate_id) = 1
),

resolved as (
    select
        mentions.* replace (
            coalesce(corroboration.event_date, mentions.event_date) as event_date,
            case
                when corroboration.predicate_id is not null then 'corroborated'
                else mentions.event_date_source
            end as event_date_source,
            coalesce(corroboration.event_code, mentions.event_code) as event_code,
            case
                when corroboration.predicate_id is not null then corroboration.actor1_code
                else mentions.actor1_code
            end as actor1_code,
            case
                when corroboration.predicate_id is not null then corroboration.actor1_country_iso3
                else mentions.actor1_country_iso3
            end as actor1_country_iso3,
            case
                when corroboration.predicate_id is not null then corroboration.actor2_code
                else mentions.actor2_code
            end as actor2_code,
            case
                when corroboration.predicate_id is not null then corroboration.actor2_country_iso3
                else mentions.actor2_country_iso3
            end as actor2_country_iso3
        )
    from mentions
    left join corroboration on mentions.predicate_id = corroboration.predicate_id
),

final as (
    select
        resolved.predicate_id as event_mention_id,
        {{ surrogate_key([
            'resolved.event_date',
            "coalesce(resolved.actor1_code, 'entity:' || resolved.actor1_entity_id)",
            "coalesce(resolved.actor2_code, 'entity:' || resolved.actor2_entity_id)",
            'resolved.event_code',
            'resolved.is_negated',
        ]) }} as event_id,
        resolved.* exclude (is_published_at_known) replace (  -- noqa: RF02
            event_codes.event_base_code as event_base_code,
            event_codes.event_root_code as event_root_code,
            event_codes.event_label as event_label,
            event_codes.quad_class as quad_class,
            event_codes.goldstein as goldstein
        )
    from resolved
    inner join event_codes on resolved.event_code = event_codes.event_code
)

select * from final
