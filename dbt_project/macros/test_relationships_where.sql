{#- Like `relationships`, with optional filters on both sides, e.g. to check only
    coded rows: every non-null child value must exist in the parent column. -#}
{% test relationships_where(model, column_name, to, field, from_condition='true', to_condition='true') %}
with child as (
    select {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null and ({{ from_condition }})
),

parent as (
    select {{ field }} as parent_value
    from {{ to }}
    where {{ to_condition }}
)

select child.child_value
from child
left join parent on child.child_value = parent.parent_value
where parent.parent_value is null
{% endtest %}
