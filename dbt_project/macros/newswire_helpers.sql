{#- SQL boolean: does `text_expr` start publisher boilerplate? The regular
    expressions come from var('boilerplate_patterns'). -#}
{% macro is_boilerplate_text(text_expr) -%}
    (
    {%- for pattern in var('boilerplate_patterns') %}
        regexp_matches(lower({{ text_expr }}), '{{ pattern | replace("'", "''") }}')
        {%- if not loop.last %} or {% endif %}
    {%- endfor %}
    )
{%- endmacro %}

{#- SQL list literal of lowercase words, e.g. ['a', 'b']. -#}
{% macro word_list(words) -%}
    [{%- for w in words -%}'{{ w | lower | replace("'", "''") }}'{%- if not loop.last %}, {% endif -%}{%- endfor -%}]
{%- endmacro %}

{#- Lowercase word tokens of a text as a list. -#}
{% macro word_tokens(text_expr) -%}
    list_filter(regexp_split_to_array(lower({{ text_expr }}), '[^a-z0-9'']+'), w -> w <> '')
{%- endmacro %}

{#- Stable 16-hex-character surrogate key from a list of expressions. -#}
{% macro surrogate_key(exprs) -%}
    left(md5(concat_ws('|', {%- for e in exprs %} coalesce(cast({{ e }} as varchar), '~'){%- if not loop.last %},{% endif %}{%- endfor %})), 16)
{%- endmacro %}
