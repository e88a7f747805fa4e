-- One row per coded predicate mention that is an event: a CAMEO code, a
-- source actor and (unless the act needs none) a target actor
-- (int_event_actors_assigned), outside publisher boilerplate, and an event of
-- its sentence by the clause and attribution rules of
-- int_predicates_main_event. Carries the event date (relative weekday
-- resolved), the action location and the key that identifies the event
-- across articles.

with

coded as (
    select * from {{ ref('int_predicates_coded') }}
    where {{ incremental_filter('event_articles') }}
),

actors as (
    select * from {{ ref('int_event_actors_assigned') }}
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

candidate_events as (
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
        main_events.is_reporting,
        main_events.sentence_reports_agentless_event,
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
    inner join actors on coded.predicate_id = actors.predicate_id
    inner join main_events on coded.predicate_id = main_events.predicate_id
    inner join sentences on coded.sentence_id = sentences.sentence_id
    inner join articles on coded.article_id = articles.article_id
    where
        not sentences.is_boilerplate
        -- PETRARCH-2 codes who did what to whom: a source ("was sentenced" with
        -- no agent names nobody who did anything), and a target unless the act
        -- needs none (a statement by a speech verb: "the minister said"; a
        -- protest, aimed at the source's own government above)
        and (
            actors.actor1_code is not null
            -- a nominal event as subject ("a car bombing killed 28 soldiers")
            -- reports an attack whose perpetrator is not named
            or coded.coding_method = 'reported_event_noun'
        )
        and (
            actors.actor2_code is not null
            or list_contains({{ coding_list('targetless_roots') }}, left(coded.event_code, 2))
            -- an intent stated by a verb ("offered", "pledged to", "agreed to"),
            -- not one read into a future tense ("will contribute")
            or (
                left(coded.event_code, 2) = '03'
                and not list_contains({{ coding_list('future_modals') }}, coalesce(coded.control_lemma, ''))
            )
            -- a nominal event names the act itself ("conducts meetings",
            -- "launched a probe"), whoever it concerns
            or coded.coding_method in ('event_noun', 'reported_event_noun')
            or (
                left(coded.event_code, 2) = '01'
                and (
                    list_contains({{ coding_list('speech_verbs') }}, coded.verb_lemma)
                    or list_contains({{ coding_list('speech_verbs') }}, coded.control_lemma)
                )
            )
        )
),

joined as (
    -- attribution: a reporting verb ("said", "told reporters", "according
    -- to") is not an event when another event of its sentence is coded, or a
    -- passive without agent reports what happened; its statement (01) stands
    -- only when nothing else does
    select * exclude (is_reporting, sentence_reports_agentless_event)
    from candidate_events
    qualify not (
        -- a statement by an unnamed sector ("police said", "officials say") is
        -- attribution, not a political statement of an actor
        (left(event_code, 2) = '01' and actor1_entity_id is null)
        or is_reporting
        and (
            sentence_reports_agentless_event
            or bool_or(not is_reporting and not is_negated) over (partition by sentence_id)
        )
    )
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
