{#- SQL list of the words of one coding list (seed coding_word_lists, documented in
    coding_lists): the lexicons and word lists event coding applies are data, so
    editing them recodes history with `dbt build` like any other dictionary. -#}
{% macro coding_list(name) -%}
    (select coalesce(list(word order by word), []) from {{ ref('coding_word_lists') }} where list_name = '{{ name }}')
{%- endmacro %}

{#- SQL boolean: does `text_expr` start publisher boilerplate? The regular
    expressions are the coding list boilerplate_patterns. -#}
{% macro is_boilerplate_text(text_expr) -%}
    (len(list_filter({{ coding_list('boilerplate_patterns') }}, p -> regexp_matches(lower({{ text_expr }}), p))) > 0)
{%- endmacro %}

{#- Lowercase word tokens of a text as a list. -#}
{% macro word_tokens(text_expr) -%}
    list_filter(regexp_split_to_array(lower({{ text_expr }}), '[^a-z0-9'']+'), w -> w <> '')
{%- endmacro %}

{#- Stable 16-hex-character surrogate key from a list of expressions. -#}
{% macro surrogate_key(exprs) -%}
    left(md5(concat_ws('|', {%- for e in exprs %} coalesce(cast({{ e }} as varchar), '~'){%- if not loop.last %},{% endif %}{%- endfor %})), 16)
{%- endmacro %}
