-- One row per predicate with its two actors:
--   actor 1 = the subject span; actor 2 = the object span, else a prepositional
--   argument, else (no coded actor there) the first coded mention between the
--   verb and the next verb of the sentence ("give Tanzania a grant"). A span
--   resolves to the entity mentions that overlap it; the best one has an actor
--   code, then is the span's head, then comes first.
--   A pronoun or role-noun subject ("he", "they", a quoted "we", "the prime
--   minister") is replaced by the span the NLP stage resolved it to (an earlier
--   mention, or the speaker of the reported clause); pronouns are resolved there
--   once, not here. A verb without a subject takes the resolved subject of the
--   nearest verb of its sentence. The recipient of a ditransitive verb ("gave
--   Tanzania a grant") is a target candidate like the object. A subject span
--   with no coded mention takes the country mentioned
--   in its noun-phrase region ("Rebels in the Ivory Coast" -> CIV + REB) or,
--   failing that, the sector its head names in cameo_agents alone
--   ("demonstrators" -> OPP).

with

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__predicates')) }}
),

arguments as (
    select * from {{ ref('int_predicate_arguments_unnested') }}
    where {{ incremental_filter('articles', relation=ref('int_predicate_arguments_unnested')) }}
),

mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
    where
        is_named_entity
        and {{ incremental_filter('articles', relation=ref('int_entity_mentions_resolved')) }}
),

sentences as (
    select * from {{ ref('stg_newswire__sentences') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__sentences')) }}
),

subjects as (
    -- the subject span, or the antecedent span of a pronoun / role-noun subject
    select
        predicate_id,
        article_id,
        sentence_no,
        verb_start,
        subject_text,
        coalesce(subject_antecedent_start, subject_start) as start_char,
        coalesce(subject_antecedent_end, subject_end) as end_char,
        coalesce(subject_antecedent_head_lemma, subject_head_lemma) as head_lemma,
        case when subject_antecedent_start is null then subject_text end as span_text,
        subject_antecedent_start is not null as is_antecedent,
        -- a pronoun the NLP stage could not resolve names no actor
        subject_antecedent_start is null
        and lower(trim(subject_text)) in (
            'he', 'she', 'him', 'her', 'it', 'they', 'them', 'who', 'which', 'that', 'we', 'i', 'you', 'us', 'me'
        ) as is_unresolved_pronoun
    from predicates
    where subject_start is not null
),

spans as (
    select
        predicate_id,
        article_id,
        'subject' as slot,
        0 as slot_no,
        start_char,
        end_char,
        head_lemma,
        span_text
    from subjects
    where not is_unresolved_pronoun
    union all
    select
        predicate_id,
        article_id,
        'recipient' as slot,
        0 as slot_no,
        recipient_start as start_char,
        recipient_end as end_char,
        recipient_head_lemma as head_lemma,
        recipient_text as span_text
    from predicates
    where recipient_start is not null
    union all
    select
        predicate_id,
        article_id,
        'object' as slot,
        0 as slot_no,
        object_start as start_char,
        object_end as end_char,
        object_head_lemma as head_lemma,
        object_text as span_text
    from predicates
    where object_start is not null
    union all
    select
        predicate_id,
        article_id,
        'prep:' || preposition as slot,
        arg_no as slot_no,
        start_char,
        end_char,
        head_lemma,
        argument_text as span_text
    from arguments
    where start_char is not null
),

agents as (
    select
        lower(trim(agent_word)) as agent_word,
        agent_code
    from {{ ref('cameo_agents') }}
    where agent_word is not null and agent_code is not null
),

span_agents as (
    -- the sector a span names: its head lemma or its last one to three words
    -- ("security forces", "police officers", "government officials") as an
    -- agent word; the longest match wins
    select
        keyed.predicate_id,
        keyed.slot,
        keyed.slot_no,
        agents.agent_code
    from (
        select
            predicate_id,
            slot,
            slot_no,
            unnest([
                head_lemma,
                array_to_string(list_slice(words, -1, -1), ' '),
                array_to_string(list_slice(words, -2, -1), ' '),
                array_to_string(list_slice(words, -3, -1), ' ')
            ]) as agent_key
        from (
            select
                predicate_id,
                slot,
                slot_no,
                head_lemma,
                string_split(trim(regexp_replace(lower(coalesce(span_text, '')), '[^a-z0-9]+', ' ', 'g')), ' ')
                    as words
            from spans
        ) as tokenized
    ) as keyed
    inner join agents on keyed.agent_key = agents.agent_word
    qualify row_number() over (
        partition by keyed.predicate_id, keyed.slot, keyed.slot_no
        order by length(agents.agent_word) desc, agents.agent_code
    ) = 1
),

span_mentions as (
    select
        spans.predicate_id,
        spans.slot,
        spans.slot_no,
        mentions.entity_mention_id,
        mentions.entity_id,
        mentions.entity_canonical_name,
        -- a country word modifying a sector noun is that country's sector:
        -- "the Israeli army" -> ISR + MIL, "South Korea's foreign ministry" -> KORGOV
        case
            when
                mentions.entity_label in ('GPE', 'NORP')
                and length(mentions.actor_code) = 3
                and not coalesce(
                    lower(mentions.head_lemma) = spans.head_lemma
                    or list_contains(string_split(lower(mentions.normalized_text), ' '), spans.head_lemma),
                    false
                )
                and span_agents.agent_code is not null
                then left(mentions.actor_code, 3) || span_agents.agent_code
            else mentions.actor_code
        end as actor_code,
        mentions.actor_country_iso3,
        mentions.start_char,
        mentions.actor_code is not null as has_actor_code,
        (
            spans.head_lemma is not null
            and (
                lower(mentions.head_lemma) = spans.head_lemma
                or list_contains(string_split(lower(mentions.normalized_text), ' '), spans.head_lemma)
            )
        ) as is_head
    from spans
    inner join mentions
        on
            spans.article_id = mentions.article_id
            and spans.end_char > mentions.start_char
            and spans.start_char < mentions.end_char
    left join span_agents
        on
            spans.predicate_id = span_agents.predicate_id
            and spans.slot = span_agents.slot
            and spans.slot_no = span_agents.slot_no
),

measure_targets as (
    -- an object / prepositional span headed by a measure noun
    -- (coding list measure_target_nouns) followed by its own complement "against /
    -- on X": X is the target ("signed on to G7 sanctions against Russia" ->
    -- Russia, not G7), ahead of the mentions inside the span
    select
        spans.predicate_id,
        spans.slot,
        spans.slot_no,
        mentions.entity_mention_id,
        mentions.entity_id,
        mentions.entity_canonical_name,
        mentions.actor_code,
        mentions.actor_country_iso3,
        mentions.start_char
    from spans
    inner join predicates on spans.predicate_id = predicates.predicate_id
    inner join sentences on predicates.sentence_id = sentences.sentence_id
    inner join mentions
        on
            spans.article_id = mentions.article_id
            and spans.end_char <= mentions.start_char
            and spans.end_char + 20 >= mentions.start_char
            and mentions.actor_code is not null
    where
        spans.slot <> 'subject'
        and list_contains({{ coding_list('measure_target_nouns') }}, spans.head_lemma)
        and list_contains(
            {{ coding_list('measure_target_prepositions') }},
            regexp_extract(
                lower(substr(
                    sentences.sentence_text,
                    spans.end_char - sentences.start_char + 1,
                    mentions.start_char - spans.end_char
                )),
                '^\s*(\w+)\s+(the\s+)?$',
                1
            )
        )
    qualify row_number() over (
        partition by spans.predicate_id order by mentions.start_char, mentions.entity_mention_id
    ) = 1
),

subject_best as (
    select
        span_mentions.*,
        subjects.is_antecedent
    from span_mentions
    inner join subjects on span_mentions.predicate_id = subjects.predicate_id
    where span_mentions.slot = 'subject'
    qualify row_number() over (
        partition by span_mentions.predicate_id
        order by
            span_mentions.has_actor_code desc, span_mentions.is_head desc, span_mentions.start_char asc,
            span_mentions.entity_mention_id asc
    ) = 1
),

uncoded_targets as (
    -- an object, recipient or prepositional span without any coded mention
    -- ("killed three suspected militants", "arrested protesters"): the sector
    -- its head names in cameo_agents, with the country of a coded place or
    -- nationality inside the span ("Afghan soldiers" -> AFGMIL)
    select
        spans.predicate_id,
        spans.slot,
        spans.slot_no,
        country.entity_mention_id,
        country.entity_id,
        coalesce(country.entity_canonical_name, spans.head_lemma) as entity_canonical_name,
        coalesce(left(country.actor_code, 3), '') || agents.agent_code as actor_code,
        country.actor_country_iso3,
        spans.start_char
    from spans
    inner join span_agents as agents
        on
            spans.predicate_id = agents.predicate_id
            and spans.slot = agents.slot
            and spans.slot_no = agents.slot_no
    left join span_mentions as coded
        on
            spans.predicate_id = coded.predicate_id
            and spans.slot = coded.slot
            and spans.slot_no = coded.slot_no
            and coded.has_actor_code
    left join mentions as country
        on
            spans.article_id = country.article_id
            and country.entity_label in ('GPE', 'NORP')
            and country.actor_code is not null
            and spans.start_char <= country.start_char
            and spans.end_char >= country.end_char
    where spans.slot <> 'subject' and coded.predicate_id is null
    qualify row_number() over (
        partition by spans.predicate_id, spans.slot, spans.slot_no
        order by country.start_char asc nulls last, country.entity_mention_id asc
    ) = 1
),

other_best as (
    select
        predicate_id,
        slot,
        slot_no,
        entity_mention_id,
        entity_id,
        entity_canonical_name,
        actor_code,
        actor_country_iso3,
        start_char
    from (
        select
            predicate_id,
            slot,
            slot_no,
            entity_mention_id,
            entity_id,
            entity_canonical_name,
            actor_code,
            actor_country_iso3,
            start_char,
            has_actor_code,
            is_head,
            false as is_measure_target
        from span_mentions
        where slot <> 'subject'
        union all
        select
            predicate_id,
            slot,
            slot_no,
            entity_mention_id,
            entity_id,
            entity_canonical_name,
            actor_code,
            actor_country_iso3,
            start_char,
            true as has_actor_code,
            true as is_head,
            true as is_measure_target
        from measure_targets
        union all
        select
            predicate_id,
            slot,
            slot_no,
            entity_mention_id,
            entity_id,
            entity_canonical_name,
            actor_code,
            actor_country_iso3,
            start_char,
            true as has_actor_code,
            true as is_head,
            false as is_measure_target
        from uncoded_targets
    ) as candidates
    qualify row_number() over (
        partition by predicate_id
        order by
            is_measure_target desc, has_actor_code desc, is_head desc, slot_no asc, start_char asc,
            entity_mention_id asc
    ) = 1
),

subject_inherited as (
    -- an active verb without a subject ("hours after joining ...", "his goal of
    -- meeting ...") takes the resolved subject of the nearest verb in the same
    -- sentence; a passive without an agent ("was arrested") names no doer
    select
        predicates.predicate_id,
        subject_best.entity_mention_id,
        subject_best.entity_id,
        subject_best.entity_canonical_name,
        subject_best.actor_code,
        subject_best.actor_country_iso3
    from predicates
    inner join predicates as governing
        on
            predicates.sentence_id = governing.sentence_id
            and predicates.predicate_id <> governing.predicate_id
    inner join subject_best on governing.predicate_id = subject_best.predicate_id
    where predicates.subject_start is null and predicates.voice = 'active'
    qualify row_number() over (
        partition by predicates.predicate_id
        order by abs(governing.verb_start - predicates.verb_start) asc, governing.verb_start asc
    ) = 1
),

uncoded_subjects as (
    -- a subject span without any coded mention ("Rebels in the Ivory Coast",
    -- "Security forces in Guinea", "Israeli helicopters and tanks"), with the
    -- sector its head names in cameo_agents (rebel -> REB)
    select
        subjects.predicate_id,
        subjects.article_id,
        subjects.start_char as subject_start,
        subjects.end_char as subject_end,
        -- the region a country modifier may sit in: up to the verb, or the
        -- end of an antecedent span found elsewhere
        case when subjects.is_antecedent then subjects.end_char else subjects.verb_start end as region_end,
        subjects.subject_text,
        subjects.sentence_no,
        subjects.is_antecedent,
        agents.agent_code
    from subjects
    left join subject_best on subjects.predicate_id = subject_best.predicate_id
    left join span_agents as agents
        on
            subjects.predicate_id = agents.predicate_id
            and agents.slot = 'subject'
            and agents.slot_no = 0
    where
        not subjects.is_unresolved_pronoun
        and (subject_best.predicate_id is null or subject_best.actor_code is null)
),

subject_region as (
    -- its country: the coded country mention nearest to the subject in the
    -- subject's noun phrase region (from var('subject_region_chars') before the
    -- subject up to the verb: a modifier or a locative "in Guinea"), plus the
    -- head's sector; else the sector alone (GDELT's country-less 'REB', 'OPP')
    select
        uncoded_subjects.predicate_id,
        country.entity_mention_id,
        country.entity_id,
        coalesce(country.entity_canonical_name, uncoded_subjects.subject_text) as entity_canonical_name,
        case
            when country.entity_mention_id is not null
                then left(country.actor_code, 3) || coalesce(uncoded_subjects.agent_code, '')
            else uncoded_subjects.agent_code
        end as actor_code,
        country.actor_country_iso3,
        case when country.entity_mention_id is not null then 'subject_region' else 'subject_agent' end as resolution
    from uncoded_subjects
    left join mentions as country
        on
            uncoded_subjects.article_id = country.article_id
            and country.entity_label in ('GPE', 'NORP')
            and country.actor_code is not null
            and country.actor_country_iso3 is not null
            and (
                -- a nationality or place inside the subject ("Israeli helicopters")
                (
                    uncoded_subjects.subject_start <= country.start_char
                    and uncoded_subjects.subject_end >= country.end_char
                )
                -- or, for a subject naming a sector ("Rebels in the Ivory Coast"),
                -- a place around it, before the verb
                or (
                    uncoded_subjects.agent_code is not null
                    and not uncoded_subjects.is_antecedent
                    and uncoded_subjects.sentence_no = country.sentence_no
                    and uncoded_subjects.subject_start - {{ var('subject_region_chars') }} <= country.start_char
                    and uncoded_subjects.region_end >= country.end_char
                    -- a subject before its verb (a passive agent follows it)
                    and uncoded_subjects.subject_start < uncoded_subjects.region_end
                )
            )
    where country.entity_mention_id is not null or uncoded_subjects.agent_code is not null
    qualify row_number() over (
        partition by uncoded_subjects.predicate_id
        order by
            abs(country.start_char - uncoded_subjects.subject_start) asc nulls last,
            country.entity_mention_id asc
    ) = 1
),

subject_candidates as (
    select
        predicate_id,
        entity_mention_id,
        entity_id,
        entity_canonical_name,
        actor_code,
        actor_country_iso3,
        case when is_antecedent then 'antecedent' else 'span' end as resolution,
        1 as priority
    from subject_best
    union all
    select
        predicate_id,
        entity_mention_id,
        entity_id,
        entity_canonical_name,
        actor_code,
        actor_country_iso3,
        resolution,
        0 as priority
    from subject_region

    union all
    select
        predicate_id,
        entity_mention_id,
        entity_id,
        entity_canonical_name,
        actor_code,
        actor_country_iso3,
        'sentence_subject' as resolution,
        3 as priority
    from subject_inherited
),

subject_resolved as (
    select *
    from subject_candidates
    qualify row_number() over (partition by predicate_id order by priority asc, entity_mention_id asc) = 1
),

next_verbs as (
    select
        predicates.predicate_id,
        min(following.verb_start) as next_verb_start
    from predicates
    inner join predicates as following
        on
            predicates.sentence_id = following.sentence_id
            and predicates.verb_start < following.verb_start
    group by predicates.predicate_id
),

after_verb as (
    -- when neither the object nor a prepositional argument names a coded
    -- actor, the first coded mention of the verb's own stretch (after it, before
    -- the next verb of the sentence) is the target: the recipient in "give
    -- Tanzania a grant", "denounced as a crime Serbia's suppression"
    select
        predicates.predicate_id,
        mentions.entity_mention_id,
        mentions.entity_id,
        mentions.entity_canonical_name,
        mentions.actor_code,
        mentions.actor_country_iso3
    from predicates
    left join next_verbs on predicates.predicate_id = next_verbs.predicate_id
    left join subject_resolved on predicates.predicate_id = subject_resolved.predicate_id
    inner join mentions
        on
            predicates.article_id = mentions.article_id
            and predicates.sentence_no = mentions.sentence_no
            and predicates.verb_end <= mentions.start_char
            and coalesce(next_verbs.next_verb_start, mentions.start_char + 1) > mentions.start_char
            and mentions.actor_code is not null
            and subject_resolved.entity_id is distinct from mentions.entity_id
    qualify row_number() over (
        partition by predicates.predicate_id order by mentions.start_char, mentions.entity_mention_id
    ) = 1
),

other_resolved as (
    select
        predicates.predicate_id,
        case when other_best.actor_code is null and after_verb.predicate_id is not null then 1 else 0 end
            as use_after_verb,
        other_best.entity_mention_id,
        other_best.entity_id,
        other_best.entity_canonical_name,
        other_best.actor_code,
        other_best.actor_country_iso3,
        other_best.slot,
        after_verb.entity_mention_id as after_entity_mention_id,
        after_verb.entity_id as after_entity_id,
        after_verb.entity_canonical_name as after_entity_canonical_name,
        after_verb.actor_code as after_actor_code,
        after_verb.actor_country_iso3 as after_actor_country_iso3
    from predicates
    left join other_best on predicates.predicate_id = other_best.predicate_id
    left join after_verb on predicates.predicate_id = after_verb.predicate_id
),

final as (
    select
        predicates.predicate_id,
        predicates.article_id,
        predicates.sentence_id,
        predicates.sentence_no,
        predicates.subject_text,
        predicates.object_text,
        subject_resolved.entity_mention_id as actor1_entity_mention_id,
        subject_resolved.entity_id as actor1_entity_id,
        subject_resolved.entity_canonical_name as actor1_name,
        subject_resolved.actor_code as actor1_code,
        subject_resolved.actor_country_iso3 as actor1_country_iso3,
        subject_resolved.resolution as actor1_resolution,
        case
            when other_resolved.use_after_verb = 1 then other_resolved.after_entity_mention_id
            else other_resolved.entity_mention_id
        end as actor2_entity_mention_id,
        case
            when other_resolved.use_after_verb = 1 then other_resolved.after_entity_id
            else other_resolved.entity_id
        end as actor2_entity_id,
        case
            when other_resolved.use_after_verb = 1 then other_resolved.after_entity_canonical_name
            else other_resolved.entity_canonical_name
        end as actor2_name,
        case
            when other_resolved.use_after_verb = 1 then other_resolved.after_actor_code
            else other_resolved.actor_code
        end as actor2_code,
        case
            when other_resolved.use_after_verb = 1 then other_resolved.after_actor_country_iso3
            else other_resolved.actor_country_iso3
        end as actor2_country_iso3,
        case when other_resolved.use_after_verb = 1 then 'after_verb' else other_resolved.slot end as actor2_slot
    from predicates
    left join subject_resolved on predicates.predicate_id = subject_resolved.predicate_id
    left join other_resolved on predicates.predicate_id = other_resolved.predicate_id
)

select * from final
