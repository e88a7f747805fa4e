-- One row per prepositional argument of a predicate (prep_args unnested).

with

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__predicates')) }}
),

unnested as (
    select
        predicates.predicate_id,
        predicates.article_id,
        predicates.sentence_id,
        args.arg_no,
        predicates.prep_args[args.arg_no] as prep_arg
    from predicates
    cross join unnest(generate_series(1, predicates.prep_arg_count)) as args (arg_no)
    where predicates.prep_arg_count > 0
),

final as (
    select
        predicate_id || '-a' || cast(arg_no as varchar) as predicate_argument_id,
        predicate_id,
        article_id,
        sentence_id,
        arg_no,
        lower(trim(struct_extract(prep_arg, 'preposition'))) as preposition,
        struct_extract(prep_arg, 'text') as argument_text,
        lower(struct_extract(prep_arg, 'head_lemma')) as head_lemma,
        struct_extract(prep_arg, 'start_char') as start_char,
        struct_extract(prep_arg, 'end_char') as end_char
    from unnested
)

select * from final
