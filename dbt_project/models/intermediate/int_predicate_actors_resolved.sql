-- One row per predicate with its two actors:
--   actor 1 = the subject span; actor 2 = the object span, else a prepositional
--   argument. A span resolves to the entity mentions that overlap it; the best
--   one has an actor code, then is the span's head, then comes first.
--   Pronoun subjects (he / she / him / her) resolve to the most recent PERSON
--   mention earlier in the article.

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
        on spans.article_id = mentions.article_id
        and mentions.start_char < spans.end_char
        and mentions.end_char > spans.start_char
),

subject_pronouns as (
    select
        predicates.predicate_id,
        antecedent.entity_mention_id,
        antecedent.entity_id,
        antecedent.entity_canonical_name,
        antecedent.actor_code,
        antecedent.actor_country_iso3
    from predicates
    inner join mentions as antecedent
        on predicates.article_id = antecedent.article_id
        and antecedent.entity_label = 'PERSON'
        and antecedent.end_char <= predicates.subject_start
    where lower(trim(predicates.subject_text)) in ('he', 'she', 'him', 'her')
        or (predicates.subject_head_lemma in ('he', 'she') and predicates.subject_end - predicates.subject_start <= 3)
    qualify row_number() over (partition by predicates.predicate_id order by antecedent.start_char desc) = 1
),

subject_best as (
    select *
    from span_mentions
    where slot = 'subject'
    qualify row_number() over (
        partition by predicate_id
        order by has_actor_code desc, is_head desc, start_char
    ) = 1
),

other_best as (
    select *
    from span_mentions
    where slot <> 'subject'
    qualify row_number() over (
        partition by predicate_id
        order by has_actor_code desc, is_head desc, slot_no, start_char
    ) = 1
),

final as (
    select
        predicates.predicate_id,
        predicates.article_id,
        predicates.sentence_id,
        predicates.sentence_no,
        predicates.subject_text,
        predicates.object_text,
        coalesce(subject_best.entity_mention_id, subject_pronouns.entity_mention_id) as actor1_entity_mention_id,
        coalesce(subject_best.entity_id, subject_pronouns.entity_id) as actor1_entity_id,
        case
            when subject_best.entity_mention_id is not null then subject_best.entity_canonical_name
            else subject_pronouns.entity_canonical_name
        end as actor1_name,
        case
            when subject_best.entity_mention_id is not null then subject_best.actor_code
            else subject_pronouns.actor_code
        end as actor1_code,
        case
            when subject_best.entity_mention_id is not null then subject_best.actor_country_iso3
            else subject_pronouns.actor_country_iso3
        end as actor1_country_iso3,
        case
            when subject_best.entity_mention_id is not null then 'span'
            when subject_pronouns.entity_mention_id is not null then 'pronoun'
        end as actor1_resolution,
        other_best.entity_mention_id as actor2_entity_mention_id,
        other_best.entity_id as actor2_entity_id,
        other_best.entity_canonical_name as actor2_name,
        other_best.actor_code as actor2_code,
        other_best.actor_country_iso3 as actor2_country_iso3,
        other_best.slot as actor2_slot
    from predicates
    left join subject_best on predicates.predicate_id = subject_best.predicate_id
    left join subject_pronouns on predicates.predicate_id = subject_pronouns.predicate_id
    left join other_best on predicates.predicate_id = other_best.predicate_id
)

select * from final
