with

source as (
    select * from {{ source('newswire', 'rejections') }}
),

renamed as (
    select
        {{ surrogate_key(['input_sha256', 'item_no', 'reason_code', 'run_id']) }} as rejection_id,
        input_sha256 as input_id,
        input_path,
        item_no,
        reason_code,
        reason,
        run_id,
        rejected_at
    from source
),

final as (
    select * from renamed
)

select * from final
