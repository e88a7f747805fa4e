{#- Fails for every row whose character span [start_column, end_column) does not lie
    inside the document_text of its article: a negative start, an end before the start,
    an end past the document, or a missing offset. `articles` is the model holding
    article_id and document_text (staging: stg_newswire__articles).

    The rows checked are `model` as get_where_subquery scopes it (macros/test_scope.sql),
    and only their articles are read, so an incremental build pays for its new
    articles, not for history. A row of an article that does not exist is left to the
    relationships test on article_id. -#}
{% test span_within_document(model, articles, start_column='start_char', end_column='end_char') %}
with

checked as (
    select * from {{ model }}
),

documents as (
    select
        article_id,
        length(document_text) as document_length
    from {{ articles }}
    where article_id in (select article_id from checked)
)

select
    checked.*,
    documents.document_length
from checked
inner join documents on checked.article_id = documents.article_id
where not coalesce(
    checked.{{ start_column }} >= 0
    and checked.{{ end_column }} >= checked.{{ start_column }}
    and checked.{{ end_column }} <= documents.document_length,
    false
)
{% endtest %}
