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
        object_text,
        lower(object_head_lemma) as object_head_lemma,
        object_start,
        object_end,
        coalesce(len(prep_args), 0) as prep_arg_count,
        prep_args
    from source
),

final as (
    select * from renamed
)

select * from final
