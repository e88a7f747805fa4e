with

source as (
    select * from {{ source('newswire', 'articles') }}
),

renamed as (
    select
        article_id,
        input_sha256,
        input_path,
        item_no,
        source_format,
        url as article_url,
        title,
        body,
        captions,
        author,
        publisher,
        wire_agency,
        -- the originating source: a syndicated wire copy counts as the agency
        coalesce(nullif(trim(wire_agency), ''), nullif(trim(publisher), ''), 'unknown') as source_name,
        published_at,
        cast(timezone('UTC', published_at) as date) as published_date,
        -- the article's reference time: publication, else when it was loaded
        -- (GDELT's DATEADDED) when no publication date was found
        coalesce(published_at, ingested_at) as reported_at,
        cast(timezone('UTC', coalesce(published_at, ingested_at)) as date) as reported_date,
        published_at is not null as is_published_at_known,
        published_date_source,
        language as language_code,
        word_count,
        body_sha256,
        coalesce(story_cluster_id, article_id) as story_cluster_id,
        parser_version,
        ingested_at,
        coalesce(title, '') || chr(10) || chr(10) || coalesce(body, '') as document_text
    from source
),

final as (
    select * from renamed
)

select * from final
