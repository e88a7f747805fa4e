-- One row per predicate that a CAMEO verb pattern matches, with its event code.
--
-- 1. Verb patterns: same verb lemma, and every non-null constraint of the
--    pattern holds (particle equal; preposition among the predicate's prep
--    args; object_head equal to the object's head or to a prep arg's head).
--    The match with the highest specificity wins; ties go to the lowest pattern_id.
--    Time adjuncts ("on Tuesday", "in 1988": var('temporal_heads'), years) are
--    not arguments and never satisfy a preposition or object constraint.
-- 2. Control verbs: when a verb of the control chain (or the modality) has an
--    event_root_override in cameo_control_verbs ("pledge>improve" -> 03,
--    "threaten>impose" -> 13), the code moves under that root: the most specific
--    pattern under the root matched by the content verb or by the control verb
--    with the same arguments ("threaten ... sanctions" -> 1312), else the root's
--    base code ('030', '130'). Future / obligation modals of action verbs
--    (var('future_modals'), var('obligation_modals'): "will provide aid",
--    "must return") act like control verbs (03 intent, 10 demand; a negated
--    future, "will not accept", is a refusal: 12, not negated). The control verb alone makes the event: "agreed
--    to undertake exercises" is an intent (030) even when "undertake" has no
--    pattern. An intent (root 03) whose content verb is material conflict or
--    protest (var('conflict_roots'): "vowed to attack", "will impose") is a
--    threat (root 13), except under var('cooperative_control_verbs') ("agreed to").
-- 3. Negation and modality are carried as qualifiers (is_negated, modality);
--    the code is not changed by them. A control verb without a root override
--    ("tried to meet") becomes the modality; one of var('negating_control_verbs')
--    ("failed to meet") also negates the event.

with

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter('articles') }}
),

arguments as (
    select * from {{ ref('int_predicate_arguments_unnested') }}
    where {{ incremental_filter('articles') }}
),

verb_patterns as (
    select
        pattern_id,
        lower(trim(verb_lemma)) as verb_lemma,
        lower(nullif(trim(particle), '')) as particle,
        lower(nullif(trim(preposition), '')) as preposition,
        lower(nullif(trim(object_head), '')) as object_head,
        -- an empty code is a blocking pattern (PETRARCH's [---]): when it is
        -- the best match the predicate is not coded at all
        case
            when trim(cast(event_code as varchar)) not in ('', '---') then trim(cast(event_code as varchar))
        end as event_code,
        coalesce(specificity, 0) as specificity
    from {{ ref('cameo_verb_patterns') }}
),

control_verbs as (
    select
        lower(trim(control_lemma)) as control_lemma,
        lower(nullif(trim(effect), '')) as control_effect,
        nullif(trim(cast(event_root_override as varchar)), '') as event_root_override
    from {{ ref('cameo_control_verbs') }}
),

event_codes as (
    select
        cast(event_code as varchar) as event_code,
        cast(event_root_code as varchar) as event_root_code
    from {{ ref('cameo_event_codes') }}
),

predicate_args as (
    select
        predicate_id,
        list(distinct preposition) filter (where preposition is not null) as prepositions,
        list(distinct head_lemma) filter (where head_lemma is not null) as arg_heads
    from arguments
    where
        not list_contains({{ word_list(var('temporal_heads')) }}, lower(coalesce(head_lemma, '')))
        and not regexp_matches(coalesce(head_lemma, ''), '^[0-9]{4}s?$')
    group by predicate_id
),

control_word_lists as (
    -- the verbs of the control chain (outermost first), then the modality
    select
        predicate_id,
        list_concat(
            coalesce(
                nullif(control_lemmas, cast([] as varchar[])),
                list_slice(string_split(coalesce(control_chain, ''), '>'), 1, -2)
            ),
            [modality]
        ) as words
    from predicates
),

control_words as (
    select
        control_word_lists.predicate_id,
        lower(control_word_lists.words[positions.word_no]) as word,
        positions.word_no
    from control_word_lists
    cross join unnest(generate_series(1, len(control_word_lists.words))) as positions (word_no)
    where
        control_word_lists.words[positions.word_no] is not null
        and control_word_lists.words[positions.word_no] <> ''
),

control_verb_override as (
    -- the outermost control word that moves the code to another root
    select
        control_words.predicate_id,
        control_verbs.control_lemma,
        control_verbs.control_effect,
        control_verbs.event_root_override,
        false as absorbs_negation
    from control_words
    inner join control_verbs on control_words.word = control_verbs.control_lemma
    where control_verbs.event_root_override is not null
    qualify row_number() over (partition by control_words.predicate_id order by control_words.word_no) = 1
),

control_modal as (
    -- the outermost control verb that keeps the code ("tried to", "failed to")
    select
        control_words.predicate_id,
        control_words.word as control_modal_lemma,
        list_contains({{ word_list(var('negating_control_verbs')) }}, control_words.word) as is_negating
    from control_words
    inner join control_verbs on control_words.word = control_verbs.control_lemma
    where control_verbs.event_root_override is null
    qualify row_number() over (partition by control_words.predicate_id order by control_words.word_no asc) = 1
),

verbs_to_match as (
    -- the content verb itself, and the overriding control verb with the
    -- content verb's arguments ("threaten" + object "sanctions")
    select
        predicate_id,
        verb_lemma as match_lemma,
        'content' as matched_verb_role
    from predicates
    union all
    select
        predicate_id,
        control_lemma as match_lemma,
        'control' as matched_verb_role
    from control_verb_override
),

candidates as (
    select
        predicates.predicate_id,
        verbs_to_match.matched_verb_role,
        verb_patterns.pattern_id,
        verb_patterns.event_code,
        verb_patterns.specificity,
        event_codes.event_root_code
    from predicates
    inner join verbs_to_match on predicates.predicate_id = verbs_to_match.predicate_id
    left join predicate_args on predicates.predicate_id = predicate_args.predicate_id
    inner join verb_patterns
        on
            verbs_to_match.match_lemma = verb_patterns.verb_lemma
            and (verb_patterns.particle is null or predicates.particle = verb_patterns.particle)
            and (
                verb_patterns.preposition is null
                or list_contains(coalesce(predicate_args.prepositions, []), verb_patterns.preposition)
            )
            and (
                verb_patterns.object_head is null
                or predicates.object_head_lemma = verb_patterns.object_head
                or list_contains(coalesce(predicate_args.arg_heads, []), verb_patterns.object_head)
            )
    left join event_codes on verb_patterns.event_code = event_codes.event_code
),

best_pattern as (
    -- the content verb's own best pattern
    select *
    from candidates
    where matched_verb_role = 'content'
    qualify row_number() over (
        partition by predicate_id order by specificity desc, pattern_id asc
    ) = 1
),

modal_override as (
    -- without a control verb, a future or obligation modal of an action verb
    -- moves it like a control verb: "X will provide aid" is an intent (033,
    -- var('future_modals')), "Y must return the helicopter" a demand (10x,
    -- var('obligation_modals')); a negated future ("X will not accept
    -- refugees") is a refusal (12x). Statements, appeals, demands, disapproval,
    -- rejections and threats (var('verbal_roots')) keep their code.
    select
        predicates.predicate_id,
        predicates.modality as control_lemma,
        case
            when list_contains({{ word_list(var('obligation_modals')) }}, predicates.modality) then 'demand'
            when predicates.is_negated then 'refuse'
            else 'intent'
        end as control_effect,
        case
            when list_contains({{ word_list(var('obligation_modals')) }}, predicates.modality) then '10'
            when predicates.is_negated then '12'
            else '03'
        end as event_root_override,
        -- "will not accept refugees" is a stated refusal (12x), which did happen
        predicates.is_negated
        and not list_contains({{ word_list(var('obligation_modals')) }}, predicates.modality) as absorbs_negation
    from predicates
    inner join best_pattern on predicates.predicate_id = best_pattern.predicate_id
    left join control_verb_override on predicates.predicate_id = control_verb_override.predicate_id
    where
        control_verb_override.predicate_id is null
        and best_pattern.event_code is not null
        and not list_contains({{ word_list(var('verbal_roots')) }}, best_pattern.event_root_code)
        and (
            list_contains({{ word_list(var('future_modals')) }}, predicates.modality)
            or list_contains({{ word_list(var('obligation_modals')) }}, predicates.modality)
        )
),

control_override as (
    select * from control_verb_override
    union all
    select * from modal_override
),

control_root as (
    -- the root the control verb moves the code to; an intent to do material
    -- conflict or to protest ("vowed to attack") is a threat
    select
        control_override.predicate_id,
        case
            when
                control_override.event_root_override = '03'
                and list_contains({{ word_list(var('conflict_roots')) }}, best_pattern.event_root_code)
                and not list_contains({{ word_list(var('cooperative_control_verbs')) }}, control_override.control_lemma)
                then '13'
            else control_override.event_root_override
        end as event_root_override
    from control_override
    left join best_pattern on control_override.predicate_id = best_pattern.predicate_id
),

override_pattern as (
    select candidates.*
    from candidates
    inner join control_root
        on
            candidates.predicate_id = control_root.predicate_id
            and candidates.event_root_code = control_root.event_root_override
    qualify row_number() over (
        partition by candidates.predicate_id
        order by
            candidates.specificity desc,
            case candidates.matched_verb_role when 'content' then 0 else 1 end,
            candidates.pattern_id asc
    ) = 1
),

coded as (
    select
        predicates.predicate_id,
        predicates.article_id,
        predicates.sentence_id,
        predicates.verb_lemma,
        predicates.particle,
        predicates.control_chain,
        -- "failed to meet": the meeting did not happen; "will not accept" is a
        -- refusal that did (coded 12x, not negated)
        (predicates.is_negated or coalesce(control_modal.is_negating, false))
        and not coalesce(control_override.absorbs_negation, false) as is_negated,
        best_pattern.pattern_id as verb_pattern_id,
        best_pattern.event_code as verb_event_code,
        control_override.control_lemma,
        control_override.control_effect,
        control_root.event_root_override,
        case
            when control_override.event_root_override is null then best_pattern.pattern_id
            else override_pattern.pattern_id
        end as pattern_id,
        case
            when control_override.event_root_override is null then best_pattern.event_code
            when override_pattern.event_code is not null then override_pattern.event_code
            else root_base.event_code
        end as event_code,
        case
            when control_override.event_root_override is null then 'verb_pattern'
            when override_pattern.event_code is not null then 'control_verb_pattern'
            else 'control_verb_root'
        end as coding_method,
        coalesce(
            case when control_root.event_root_override = '13' then 'threat' end,
            control_override.control_effect,
            control_modal.control_modal_lemma,
            predicates.modality,
            'asserted'
        ) as modality
    from predicates
    left join best_pattern on predicates.predicate_id = best_pattern.predicate_id
    left join control_override on predicates.predicate_id = control_override.predicate_id
    left join control_root on predicates.predicate_id = control_root.predicate_id
    left join override_pattern on predicates.predicate_id = override_pattern.predicate_id
    left join control_modal on predicates.predicate_id = control_modal.predicate_id
    left join event_codes as root_base
        on root_base.event_code = control_root.event_root_override || '0'
    -- a predicate is coded by its own pattern, or by an overriding control verb
    where best_pattern.predicate_id is not null or control_override.predicate_id is not null
),

final as (
    select * from coded
    where event_code is not null
)

select * from final
