{#- Fails for every row where the SQL expression is not true (nulls fail too,
    unless the expression handles them). Use `where:` config to filter. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ column_name ~ ' ' if column_name else '' }}{{ expression }}), false)
{% endtest %}
