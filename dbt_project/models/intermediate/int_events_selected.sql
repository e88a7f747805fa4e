-- One row per coded predicate mention that is an event of its sentence: a
-- CAMEO code, a source actor and (unless the act needs none) a target actor
-- (int_event_actors_assigned), outside publisher boilerplate, by the clause
-- rules of int_predicates_main_event and the attribution rules below. Carries
-- the sentence's event date and tone and the article's source; the place
-- (int_events_located) and the cross-article date and event key
-- (int_events_coded) come after.

with

coded as (
    select * from {{ ref('int_predicates_coded') }}
    where {{ incremental_filter(relation=ref('int_predicates_coded')) }}
),

actors as (
    select * from {{ ref('int_event_actors_assigned') }}
    where {{ incremental_filter(relation=ref('int_event_actors_assigned')) }}
),

main_events as (
    select * from {{ ref('int_predicates_main_event') }}
    where
        is_main_event
        and {{ incremental_filter(relation=ref('int_predicates_main_event')) }}
),

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter(relation=ref('stg_newswire__predicates')) }}
),

sentences as (
    select * from {{ ref('int_sentences_classified') }}
    where {{ incremental_filter(relation=ref('int_sentences_classified')) }}
),

articles as (
    select * from {{ ref('stg_newswire__articles') }}
    where {{ incremental_filter(relation=ref('stg_newswire__articles')) }}
),

candidate_events as (
    select
        coded.predicate_id,
        coded.article_id,
        coded.sentence_id,
        sentences.sentence_no,
        sentences.paragraph_no,
        sentences.is_lead,
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
        -- an event names at least one actor ("wounded two others" after a
        -- bombing names neither who did it nor to whom)
        and (actors.actor1_code is not null or actors.actor2_code is not null)
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

final as (
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
)

select * from final
