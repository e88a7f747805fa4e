{#- Fails when the model has no rows at all (one failing row). -#}
{% test not_empty(model) %}
select 1 as is_empty
where not exists (select 1 from {{ model }})
{% endtest %}
