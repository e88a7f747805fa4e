with

source as (
    select * from {{ source('newswire', 'entity_mentions') }}
),

renamed as (
    select
        article_id || '-m' || cast(mention_no as varchar) as entity_mention_id,
        article_id,
        article_id || '-s' || cast(sentence_no as varchar) as sentence_id,
        sentence_no,
        mention_no,
        start_char,
        end_char,
        text as mention_text,
        label as entity_label,
        coalesce(nullif(trim(normalized_text), ''), trim(text)) as normalized_text,
        head_lemma,
        coalesce(nullif(trim(canonical_text), ''), nullif(trim(normalized_text), ''), trim(text)) as canonical_text,
        source as extraction_source
    from source
),

final as (
    select * from renamed
)

select * from final
