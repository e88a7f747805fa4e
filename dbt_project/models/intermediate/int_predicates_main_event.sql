-- One row per coded predicate with an actor code: whether it is the main
-- event of its sentence (PETRARCH codes the main clause, not every verb).
--
-- A predicate is subordinate when its verb lies inside another predicate's
-- object or prepositional argument ("suspected of blowing up a plane"), when
-- its subject is a relative pronoun ("who has vowed ..."), or when it has no
-- subject of its own (infinitival purpose and participle clauses: "to
-- finance projects", "killing one person"). Statements and appeals (roots 01,
-- 02: say, announce, urge) rank after other events, so in "X said it will
-- withdraw" the reported content is the main event.
--
-- The main event is the best-ranked predicate (not subordinate first, then
-- explicit subject, then not a statement, then the earliest verb); it keeps
-- all its rows (conjoined subjects / objects share the verb). A statement or
-- appeal that is itself in the main clause is kept as well: GDELT codes the
-- speech act and its reported content. So is a clause of temporal sequence
-- with its own subject ("Japan imposed sanctions after Russia seized
-- Crimea": var('sequence_subordinators') right before the subject), which
-- reports a second, completed event; complements of demands ("demanded that
-- Hamas renounce ...") and conditions ("unless Baghdad accepted ...") are not
-- events and are not coded.

with

coded as (
    select * from {{ ref('int_predicates_coded') }}
    where {{ incremental_filter('articles') }}
),

actors as (
    select * from {{ ref('int_predicate_actors_resolved') }}
    where {{ incremental_filter('articles') }}
),

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter('articles') }}
),

arguments as (
    select * from {{ ref('int_predicate_arguments_unnested') }}
    where {{ incremental_filter('articles') }}
),

sentences as (
    select * from {{ ref('stg_newswire__sentences') }}
    where {{ incremental_filter('articles') }}
),

argument_spans as (
    -- spans that hold a dependent clause of another verb
    select
        predicate_id,
        object_start as start_char,
        object_end as end_char
    from predicates
    where object_start is not null
    union all
    select
        predicate_id,
        start_char,
        end_char
    from arguments
    where start_char is not null
),

nested as (
    select distinct predicates.predicate_id
    from predicates
    inner join predicates as governing
        on
            predicates.sentence_id = governing.sentence_id
            and predicates.verb_start <> governing.verb_start
    inner join argument_spans
        on
            governing.predicate_id = argument_spans.predicate_id
            and predicates.verb_start >= argument_spans.start_char
            and predicates.verb_start < argument_spans.end_char
),

candidates as (
    select
        coded.predicate_id,
        coded.sentence_id,
        predicates.verb_start,
        left(coded.event_code, 2) in ('01', '02') as is_statement,
        nested.predicate_id is not null as is_nested,
        lower(trim(coalesce(predicates.subject_text, ''))) in ('who', 'which', 'that', 'whom', 'whose')
            as has_relative_subject,
        predicates.subject_start is null as has_no_subject,
        -- the word right before the subject ("after" in "after Russia seized")
        regexp_extract(
            lower(left(sentences.sentence_text, greatest(predicates.subject_start - sentences.start_char, 0))),
            '([a-z]+)[^a-z]*$',
            1
        ) as word_before_subject
    from coded
    inner join predicates on coded.predicate_id = predicates.predicate_id
    inner join actors on coded.predicate_id = actors.predicate_id
    left join sentences on coded.sentence_id = sentences.sentence_id
    left join nested on coded.predicate_id = nested.predicate_id
    where actors.actor1_code is not null or actors.actor2_code is not null
),

ranked as (
    select
        *,
        first_value(verb_start) over (
            partition by sentence_id
            order by is_nested, has_relative_subject, has_no_subject, is_statement, verb_start
        ) as main_verb_start
    from candidates
),

final as (
    select
        predicate_id,
        sentence_id,
        is_statement,
        is_nested or has_relative_subject or has_no_subject as is_subordinate,
        verb_start = main_verb_start
        or (
            not (is_nested or has_relative_subject or has_no_subject)
            and (
                is_statement
                or list_contains({{ word_list(var('sequence_subordinators')) }}, word_before_subject)
            )
        ) as is_main_event
    from ranked
)

select * from final
