with

source as (
    select * from {{ source('newswire', 'predicates') }}
),

renamed as (
    select
        article_id || '-p' || cast(predicate_no as varchar) as predicate_id,
        article_id,
        article_id || '-s' || cast(sentence_no as varchar) as sentence_id,
        sentence_no,
        predicate_no,
        lower(verb_lemma) as verb_lemma,
        verb_text,
        verb_start,
        verb_end,
        lower(nullif(trim(particle), '')) as particle,
        coalesce(is_negated, false) as is_negated,
        lower(nullif(trim(modality), '')) as modality,
        lower(nullif(trim(control_chain), '')) as control_chain,
        coalesce(control_lemmas, cast([] as varchar[])) as control_lemmas,
        coalesce(voice, 'active') as voice,
        subject_text,
        lower(subject_head_lemma) as subject_head_lemma,
        subject_start,
        subject_end,
        lower(object_head_lemma) as object_head_lemma,
        object_start,
        object_end,
        subject_resolved_text,
        subject_antecedent_start,
        subject_antecedent_end,
        lower(subject_antecedent_head_lemma) as subject_antecedent_head_lemma,
        object_text,
        coalesce(len(prep_args), 0) as prep_arg_count,
        prep_args,
        recipient_text,
        lower(recipient_head_lemma) as recipient_head_lemma,
        recipient_start,
        recipient_end,
        coalesce(clause_type, 'main') as clause_type,
        governor_verb_start,
        lower(nullif(trim(subordinator), '')) as subordinator
    from source
),

final as (
    select * from renamed
)

select * from final
