with

source as (
    select * from {{ source('newswire', 'inputs') }}
),

renamed as (
    select
        input_sha256 as input_id,
        input_path,
        size_bytes,
        detected_format,
        status as input_status,
        articles_loaded,
        items_rejected,
        coalesce(items_skipped, 0) as items_skipped,
        run_id,
        seen_at
    from source
),

final as (
    select * from renamed
)

select * from final
