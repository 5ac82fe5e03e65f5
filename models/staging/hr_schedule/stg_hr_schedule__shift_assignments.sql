with

source as (

    select * from {{ source('hr_schedule', 't_shift_assignment') }}

),

renamed as (

    select
        cast(id as bigint) as shift_assignment_id,
        cast(staff_id as bigint) as staff_id,
        cast(shop_id as bigint) as store_id,
        cast(shift_template_id as bigint) as shift_template_id,
        {{ decode_code('status', {1: 'planned', 2: 'confirmed', 3: 'swapped', 4: 'cancelled'}) }}
            as shift_status,
        -- rounded exactly (divide_rounded), so DuckDB and Postgres agree to the hundredth of an hour
        cast({{ divide_rounded(seconds_between('plan_start_time', 'plan_end_time'), 3600, 2) }} as numeric(8, 2))
            as planned_hours,
        coalesce(is_deleted, false) as is_deleted,
        shift_date,
        plan_start_time as planned_start_at,
        plan_end_time as planned_end_at,
        create_time as created_at,
        update_time as updated_at

    from source

)

select * from renamed
