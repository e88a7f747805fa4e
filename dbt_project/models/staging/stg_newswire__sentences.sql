with

source as (
    select * from {{ source('newswire', 'sentences') }}
),

renamed as (
    select
        article_id || '-s' || cast(sentence_no as varchar) as sentence_id,
        article_id,
        sentence_no,
        section,
        paragraph_no,
        start_char,
        end_char,
        text as sentence_text
    from source
),

final as (
    select * from renamed
)

select * from final
