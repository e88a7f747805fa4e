-- One row per predicate with its two actors:
--   actor 1 = the subject span; actor 2 = the object span, else a prepositional
--   argument. A span resolves to the entity mentions that overlap it; the best
--   one has an actor code, then is the span's head, then comes first.
--   Pronoun subjects (he / she / him / her) resolve to the most recent PERSON
--   mention earlier in the article; "it" / "they" to the most recent
--   organisation, group or place in the same or previous sentence. A verb without a subject takes the
--   resolved subject of the nearest verb of its sentence.

with

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
),

arguments as (
    select * from {{ ref('int_predicate_arguments_unnested') }}
),

mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
    where is_named_entity
),

spans as (
    select
        predicate_id,
        article_id,
        'subject' as slot,
        0 as slot_no,
        subject_start as start_char,
        subject_end as end_char,
        subject_head_lemma as head_lemma
    from predicates
    where subject_start is not null
    union all
    select
        predicate_id,
        article_id,
        'object' as slot,
        0 as slot_no,
        object_start as start_char,
        object_end as end_char,
        object_head_lemma as head_lemma
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
        head_lemma
    from arguments
    where start_char is not null
),

span_mentions as (
    select
        spans.predicate_id,
        spans.slot,
        spans.slot_no,
        mentions.entity_mention_id,
        mentions.entity_id,
        mentions.entity_canonical_name,
        mentions.actor_code,
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
),

subject_pronouns as (
    -- he / she / him / her: the most recent PERSON mention before the pronoun;
    -- it / they / them: the most recent organisation, group (NORP) or place in
    -- the same or previous sentence ("the Fijian rebels said they will ...")
    select
        predicates.predicate_id,
        antecedent.entity_mention_id,
        antecedent.entity_id,
        antecedent.entity_canonical_name,
        antecedent.actor_code,
        antecedent.actor_country_iso3
    from predicates
    inner join mentions as antecedent
        on
            predicates.article_id = antecedent.article_id
            and predicates.subject_start >= antecedent.end_char
    where
        (
            lower(trim(predicates.subject_text)) in ('he', 'she', 'him', 'her')
            and antecedent.entity_label = 'PERSON'
        )
        or (
            lower(trim(predicates.subject_text)) in ('it', 'they', 'them')
            and antecedent.entity_label in ('ORG', 'GPE', 'NORP')
            and antecedent.sentence_no >= predicates.sentence_no - 1
        )
    qualify row_number() over (
        partition by predicates.predicate_id
        -- "it" / "they" refer to an actor: a coded antecedent first
        order by
            case
                when lower(trim(predicates.subject_text)) in ('it', 'they', 'them')
                    then antecedent.actor_code is not null
                else true
            end desc,
            antecedent.start_char desc
    ) = 1
),

subject_best as (
    select *
    from span_mentions
    where slot = 'subject'
    qualify row_number() over (
        partition by predicate_id
        order by has_actor_code desc, is_head desc, start_char asc
    ) = 1
),

other_best as (
    select *
    from span_mentions
    where slot <> 'subject'
    qualify row_number() over (
        partition by predicate_id
        order by has_actor_code desc, is_head desc, slot_no asc, start_char asc
    ) = 1
),

subject_inherited as (
    -- a verb without a subject ("hours after joining ...", "his goal of meeting
    -- ...") takes the resolved subject of the nearest verb in the same sentence
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
    where predicates.subject_start is null
    qualify row_number() over (
        partition by predicates.predicate_id
        order by abs(governing.verb_start - predicates.verb_start) asc, governing.verb_start asc
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
        'span' as resolution,
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
        'pronoun' as resolution,
        2 as priority
    from subject_pronouns
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
    qualify row_number() over (partition by predicate_id order by priority asc) = 1
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
        other_best.entity_mention_id as actor2_entity_mention_id,
        other_best.entity_id as actor2_entity_id,
        other_best.entity_canonical_name as actor2_name,
        other_best.actor_code as actor2_code,
        other_best.actor_country_iso3 as actor2_country_iso3,
        other_best.slot as actor2_slot
    from predicates
    left join subject_resolved on predicates.predicate_id = subject_resolved.predicate_id
    left join other_best on predicates.predicate_id = other_best.predicate_id
)

select * from final
