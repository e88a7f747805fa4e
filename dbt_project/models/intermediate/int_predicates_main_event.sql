-- One row per coded predicate: whether its clause can hold an event of its
-- sentence, following PETRARCH-2 / GDELT conventions (its actors are checked
-- later, in int_events_coded).
--
-- The NLP stage says which clause each verb heads (clause_type) and which verb
-- governs it. A predicate can be an event when its clause reports something
-- that happened:
--   * a main clause (and verbs coordinated with it);
--   * the reported clause of a reporting verb (coding list reporting_verbs:
--     "officials said a bomber killed five" -> kill);
--   * a clause of temporal sequence with its own subject ("Japan imposed
--     sanctions after Russia seized Crimea": coding list sequence_subordinators);
--   * a relative clause with a subject of its own ("a proposal that Pelosi
--     had rejected").
-- Purpose clauses ("met to discuss"), participle clauses ("seeking to mend
-- ties"), prepositional complements ("accused of spying"), complements of
-- other verbs ("demanded that Hamas renounce") and relative clauses whose
-- subject is the relative pronoun are subordinate: they add no event of their
-- own (their meaning reaches the main verb through its arguments and control
-- chain).
--
-- Reporting verbs (coding list reporting_verbs) are flagged: int_events_coded
-- drops their statement when another event of the sentence is coded, or when
-- the sentence reports a coded passive without agent ("four men were
-- charged, police said": a charge, not a statement).

with

coded as (
    select * from {{ ref('int_predicates_coded') }}
    where {{ incremental_filter('articles', relation=ref('int_predicates_coded')) }}
),

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__predicates')) }}
),

governors as (
    -- the verb governing each clause, by its offset in the same sentence
    select distinct on (predicates.predicate_id)
        predicates.predicate_id,
        governor.verb_lemma as governor_lemma
    from predicates
    inner join predicates as governor
        on
            predicates.sentence_id = governor.sentence_id
            and predicates.governor_verb_start = governor.verb_start
    order by predicates.predicate_id, governor.predicate_no
),

candidates as (
    select
        coded.predicate_id,
        coded.article_id,
        coded.sentence_id,
        predicates.verb_start,
        predicates.clause_type,
        predicates.subordinator,
        left(coded.event_code, 2) in ('01', '02') as is_statement,
        list_contains({{ coding_list('reporting_verbs') }}, coded.verb_lemma) as is_reporting,
        predicates.subject_start is not null
        and lower(trim(predicates.subject_text)) not in ('who', 'which', 'that', 'whom', 'whose')
            as has_own_subject,
        list_contains({{ coding_list('reporting_verbs') }}, governors.governor_lemma) as is_reported,
        predicates.voice = 'passive' and predicates.subject_start is null and not coded.is_negated
            as is_agentless_passive
    from coded
    inner join predicates on coded.predicate_id = predicates.predicate_id
    left join governors on coded.predicate_id = governors.predicate_id
),

eligible as (
    select
        *,
        -- an unknown subordinator or subject text never makes a clause an event
        coalesce(case
            when clause_type = 'main' then true
            when clause_type = 'complement' then coalesce(is_reported, false)
            when clause_type = 'adverbial'
                then
                    has_own_subject
                    -- no subordinator (null) is no sequence: false, not null
                    and coalesce(list_contains({{ coding_list('sequence_subordinators') }}, subordinator), false)
            when clause_type = 'relative' then has_own_subject
            else false
        end, false) as can_be_event
    from candidates
),

final as (
    select
        predicate_id,
        article_id,
        sentence_id,
        is_statement,
        is_reporting,
        clause_type,
        not can_be_event as is_subordinate,
        can_be_event as is_main_event,
        -- "four men were charged, police said": the sentence reports something
        -- that happened to someone, though not who did it
        bool_or(can_be_event and is_agentless_passive) over (partition by sentence_id)
            as sentence_reports_agentless_event
    from eligible
)

select * from final
