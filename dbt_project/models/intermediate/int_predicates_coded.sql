-- One row per predicate that a CAMEO verb pattern matches, with its event code.
--
-- 1. Verb patterns: same verb lemma, and every non-null constraint of the
--    pattern holds (particle equal; subject head equal to a noun the pattern
--    puts before the verb; preposition among the predicate's prep
--    args; object_head equal to the direct object's head, or, when the
--    pattern names a preposition, to the head of an argument of that
--    preposition).
--    The match with the highest specificity wins; ties go to the lowest pattern_id.
--    Time adjuncts ("on Tuesday", "in 1988": coding list temporal_heads, years) are
--    not arguments and never satisfy a preposition or object constraint.
-- 2. Control verbs: when a verb of the control chain (or the modality) has an
--    event_root_override in cameo_control_verbs ("pledge>improve" -> 03,
--    "threaten>impose" -> 13), the code moves under that root: the most specific
--    pattern under the root matched by the content verb or by the control verb
--    with the same arguments ("threaten ... sanctions" -> 1312), else the root's
--    base code ('030', '130'). Future / obligation modals of action verbs
--    (coding list future_modals, coding list obligation_modals: "will provide aid",
--    "must return") act like control verbs (03 intent, 10 demand; a negated
--    future, "will not accept", is a refusal: 12, not negated). The control verb alone makes the event: "agreed
--    to undertake exercises" is an intent (030) even when "undertake" has no
--    pattern. An intent (root 03) whose content verb is material conflict or
--    protest (coding list conflict_roots: "vowed to attack", "will impose") is a
--    threat (root 13), except under coding list cooperative_control_verbs ("agreed to").
-- 3. Negation and modality are carried as qualifiers (is_negated, modality);
--    the code is not changed by them. A control verb without a root override
--    ("tried to meet") becomes the modality; one of coding list negating_control_verbs
--    ("failed to meet") also negates the event.

with

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__predicates')) }}
),

arguments as (
    select * from {{ ref('int_predicate_arguments_unnested') }}
    where {{ incremental_filter('articles', relation=ref('int_predicate_arguments_unnested')) }}
),

verb_patterns as (
    select
        pattern_id,
        lower(trim(verb_lemma)) as verb_lemma,
        lower(nullif(trim(particle), '')) as particle,
        lower(nullif(trim(preposition), '')) as preposition,
        lower(nullif(trim(object_head), '')) as object_head,
        lower(nullif(trim(subject_head), '')) as subject_head,
        -- an empty code is a blocking pattern (PETRARCH's [---]): when it is
        -- the best match the predicate is not coded at all
        case
            when trim(cast(event_code as varchar)) not in ('', '---') then trim(cast(event_code as varchar))
        end as event_code,
        -- a pattern the seed could keep only in part (a modifier or a second
        -- phrase lost) counts one constraint less than it shows
        coalesce(specificity, 0) - case when coalesce(is_simplified, false) then 1 else 0 end as specificity,
        coalesce(is_simplified, false) as is_simplified
    from {{ ref('cameo_verb_patterns') }}
    -- the bare default of a very common verb ("go" 040, "take" 171, "see" 010)
    -- codes far more than events: such verbs are coded only by a specific
    -- pattern, a control chain or the noun they carry
    where not (
        coalesce(specificity, 0) = 0
        and subject_head is null
        and list_contains({{ coding_list('weak_default_verbs') }}, lower(trim(verb_lemma)))
    )
),

control_verbs as (
    select
        lower(trim(control_lemma)) as control_lemma,
        lower(nullif(trim(effect), '')) as control_effect,
        nullif(trim(cast(event_root_override as varchar)), '') as event_root_override,
        lower(nullif(trim(negated_effect), '')) as negated_effect,
        nullif(trim(cast(negated_root_override as varchar)), '') as negated_root_override
    from {{ ref('cameo_control_verbs') }}
    where coalesce(kind, 'control_verb') = 'control_verb'
),

modal_auxiliaries as (
    -- modal auxiliaries that move an action verb's code like a control verb
    select
        lower(trim(control_lemma)) as control_lemma,
        lower(nullif(trim(effect), '')) as control_effect,
        nullif(trim(cast(event_root_override as varchar)), '') as event_root_override,
        lower(nullif(trim(negated_effect), '')) as negated_effect,
        nullif(trim(cast(negated_root_override as varchar)), '') as negated_root_override
    from {{ ref('cameo_control_verbs') }}
    where kind = 'modal_auxiliary'
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
        list(distinct preposition || ':' || head_lemma) filter (
            where preposition is not null and head_lemma is not null
        ) as prep_heads,
        list(distinct head_lemma) filter (where head_lemma is not null) as arg_heads
    from arguments
    where
        not list_contains({{ coding_list('temporal_heads') }}, lower(coalesce(head_lemma, '')))
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
        list_contains({{ coding_list('negating_control_verbs') }}, control_words.word) as is_negating
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

pattern_candidates as (
    select
        predicates.predicate_id,
        verbs_to_match.matched_verb_role,
        verb_patterns.pattern_id,
        verb_patterns.event_code,
        verb_patterns.specificity,
        verb_patterns.is_simplified,
        event_codes.event_root_code
    from predicates
    inner join verbs_to_match on predicates.predicate_id = verbs_to_match.predicate_id
    left join predicate_args on predicates.predicate_id = predicate_args.predicate_id
    inner join verb_patterns
        on
            verbs_to_match.match_lemma = verb_patterns.verb_lemma
            and (verb_patterns.particle is null or predicates.particle = verb_patterns.particle)
            -- a noun before the verb in the pattern constrains the subject
            -- ("GUNMEN * [193]": "gunmen killed ...")
            and (
                verb_patterns.subject_head is null
                or predicates.subject_head_lemma = verb_patterns.subject_head
                or predicates.subject_antecedent_head_lemma = verb_patterns.subject_head
            )
            and (
                verb_patterns.preposition is null
                or list_contains(coalesce(predicate_args.prepositions, []), verb_patterns.preposition)
            )
            -- an object constraint holds on the direct object (or, for a verb
            -- without one, on a prepositional argument: "converged for a
            -- rally"), or on the object of the pattern's own preposition, or on
            -- the direct object when the pattern names a bare preposition
            and (
                verb_patterns.object_head is null
                or (
                    verb_patterns.preposition is null
                    and (
                        predicates.object_head_lemma = verb_patterns.object_head
                        or (
                            predicates.object_head_lemma is null
                            and list_contains(coalesce(predicate_args.arg_heads, []), verb_patterns.object_head)
                        )
                    )
                )
                or list_contains(
                    coalesce(predicate_args.prep_heads, []),
                    verb_patterns.preposition || ':' || verb_patterns.object_head
                )
                -- the dictionary's "OBJECT (PREPOSITION)": the object with a bare
                -- preposition beside it ("impose sanctions on ...")
                or (verb_patterns.preposition is not null and predicates.object_head_lemma = verb_patterns.object_head)
            )
    left join event_codes on verb_patterns.event_code = event_codes.event_code
),

event_nouns as (
    select
        lower(trim(event_noun)) as event_noun,
        lower(nullif(trim(light_verb), '')) as light_verb,
        cast(event_code as varchar) as event_code
    from {{ ref('cameo_event_nouns') }}
),

noun_keys as (
    -- the nouns a light verb may carry: its object's head, the object's last
    -- two words ("air strikes" -> "air strike"), or the object of "in" after
    -- verbs of taking part ("engaged in a fierce battle")
    -- (an aspectual verb, "began talks", "continued the strike", adds nothing
    -- to its noun: the noun beats the verb's own patterns)
    select
        predicate_id,
        verb_lemma,
        unnest([
            object_head_lemma,
            list_extract(string_split(regexp_replace(lower(object_text), '[^a-z -]+', ' ', 'g'), ' '), -2)
            || ' ' || object_head_lemma,
            -- a hyphenated noun the tokenizer split ("a sit-in")
            list_extract(string_split(regexp_replace(lower(object_text), '[^a-z -]+', ' ', 'g'), ' '), -1)
        ]) as noun_key,
        case when list_contains({{ coding_list('aspectual_verbs') }}, verb_lemma) then 5 else 1 end
            as specificity
    from predicates
    where object_head_lemma is not null
    union all
    select
        predicates.predicate_id,
        predicates.verb_lemma,
        arguments.head_lemma as noun_key,
        1 as specificity
    from predicates
    inner join arguments on predicates.predicate_id = arguments.predicate_id
    where
        arguments.preposition = 'in'
        and list_contains({{ coding_list('participation_verbs') }}, predicates.verb_lemma)
    union all
    -- an event noun as the subject of a verb of consequence ("a suicide car
    -- bombing killed 28 soldiers"): the event is the bombing, whatever the
    -- verb's own patterns say
    select
        predicate_id,
        verb_lemma,
        unnest([
            subject_head_lemma,
            list_extract(string_split(regexp_replace(lower(subject_text), '[^a-z -]+', ' ', 'g'), ' '), -2)
            || ' ' || subject_head_lemma
        ]) as noun_key,
        9 as specificity
    from predicates
    where
        subject_head_lemma is not null
        and list_contains({{ coding_list('consequence_verbs') }}, verb_lemma)
    union all
    -- an event noun as the object of a causative verb ("the scandal
    -- triggered the arrest of tycoons"): the arrest, by someone unnamed
    select
        predicate_id,
        verb_lemma,
        unnest([
            object_head_lemma,
            list_extract(string_split(regexp_replace(lower(object_text), '[^a-z -]+', ' ', 'g'), ' '), -2)
            || ' ' || object_head_lemma
        ]) as noun_key,
        9 as specificity
    from predicates
    where
        object_head_lemma is not null
        and list_contains({{ coding_list('causative_verbs') }}, verb_lemma)
    union all
    -- the same event named in a phrase of a passive without agent ("three
    -- civilians were killed in a suicide car bombing")
    select
        predicates.predicate_id,
        predicates.verb_lemma,
        unnest([
            arguments.head_lemma,
            list_extract(string_split(regexp_replace(lower(arguments.argument_text), '[^a-z -]+', ' ', 'g'), ' '), -2)
            || ' ' || arguments.head_lemma
        ]) as noun_key,
        9 as specificity
    from predicates
    inner join arguments on predicates.predicate_id = arguments.predicate_id
    where
        predicates.voice = 'passive'
        and predicates.subject_start is null
        and arguments.preposition in ('in', 'by')
        and list_contains({{ coding_list('consequence_verbs') }}, predicates.verb_lemma)
),

nominal_candidates as (
    -- nominal events: a light verb ("held talks", "launched an air strike",
    -- "took a swipe at") is coded from its noun (cameo_event_nouns)
    select distinct on (noun_keys.predicate_id)
        noun_keys.predicate_id,
        case when noun_keys.specificity = 9 then 'reported_noun' else 'noun' end as matched_verb_role,
        cast(null as integer) as pattern_id,
        event_nouns.event_code,
        noun_keys.specificity,
        false as is_simplified,
        event_codes.event_root_code
    from noun_keys
    inner join event_nouns
        on
            noun_keys.noun_key = event_nouns.event_noun
            and (event_nouns.light_verb is null or noun_keys.verb_lemma = event_nouns.light_verb)
    left join event_codes on event_nouns.event_code = event_codes.event_code
    where
        list_contains({{ coding_list('light_verbs') }}, noun_keys.verb_lemma)
        or list_contains({{ coding_list('participation_verbs') }}, noun_keys.verb_lemma)
        or list_contains({{ coding_list('consequence_verbs') }}, noun_keys.verb_lemma)
        or list_contains({{ coding_list('causative_verbs') }}, noun_keys.verb_lemma)
    order by noun_keys.predicate_id asc, noun_keys.specificity desc, length(event_nouns.event_noun) desc
),

candidates as (
    select * from pattern_candidates
    union all by name
    select * from nominal_candidates
),

best_pattern as (
    -- the content verb's own best pattern; a nominal event beats a verb
    -- pattern of the same specificity ("conducts meetings": the meeting, not
    -- the verb's generic code)
    select *
    from candidates
    where matched_verb_role in ('content', 'noun', 'reported_noun')
    qualify row_number() over (
        partition by predicate_id
        order by
            specificity desc,
            is_simplified asc,
            case when matched_verb_role in ('noun', 'reported_noun') then 0 else 1 end,
            pattern_id asc nulls first
    ) = 1
),

modal_override as (
    -- without a control verb, a modal auxiliary of an action verb moves it like
    -- a control verb (cameo_control_verbs, kind modal_auxiliary): "X will
    -- provide aid" is an intent (033), "Y must return the helicopter" a demand
    -- (10x); a negated future ("X will not accept refugees") takes the modal's
    -- negated root, a refusal (12x) that did happen. Statements, appeals,
    -- demands, disapproval, rejections and threats (coding list verbal_roots)
    -- keep their code.
    select
        predicates.predicate_id,
        modal_auxiliaries.control_lemma,
        case
            when predicates.is_negated and modal_auxiliaries.negated_root_override is not null
                then modal_auxiliaries.negated_effect
            else modal_auxiliaries.control_effect
        end as control_effect,
        case
            when predicates.is_negated and modal_auxiliaries.negated_root_override is not null
                then modal_auxiliaries.negated_root_override
            else modal_auxiliaries.event_root_override
        end as event_root_override,
        predicates.is_negated and modal_auxiliaries.negated_root_override is not null as absorbs_negation
    from predicates
    inner join modal_auxiliaries on predicates.modality = modal_auxiliaries.control_lemma
    inner join best_pattern on predicates.predicate_id = best_pattern.predicate_id
    left join control_verb_override on predicates.predicate_id = control_verb_override.predicate_id
    where
        control_verb_override.predicate_id is null
        and best_pattern.event_code is not null
        and not list_contains({{ coding_list('verbal_roots') }}, best_pattern.event_root_code)
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
                and list_contains({{ coding_list('conflict_roots') }}, best_pattern.event_root_code)
                and not list_contains({{ coding_list('cooperative_control_verbs') }}, control_override.control_lemma)
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
            when control_override.event_root_override is null and best_pattern.matched_verb_role = 'noun'
                then 'event_noun'
            when control_override.event_root_override is null and best_pattern.matched_verb_role = 'reported_noun'
                then 'reported_event_noun'
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
    -- a predicate is coded by its own pattern or noun, or by an overriding control verb
    where best_pattern.predicate_id is not null or control_override.predicate_id is not null
),

final as (
    select * from coded
    where event_code is not null
)

select * from final
