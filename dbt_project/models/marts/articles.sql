-- One row per article with its counts. Built after every other incremental mart
-- (depends_on below): the articles it holds are the ones the last build
-- finished, which is what int_articles_changed compares staging against.
-- depends_on: {{ ref('events') }}
-- depends_on: {{ ref('event_mentions') }}
-- depends_on: {{ ref('entities') }}
-- depends_on: {{ ref('entity_mentions') }}
with

articles as (
    select * from {{ ref('stg_newswire__articles') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__articles')) }}
),

sentences as (
    select * from {{ ref('int_sentences_classified') }}
    where {{ incremental_filter('articles', relation=ref('int_sentences_classified')) }}
),

mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
    where {{ incremental_filter('articles', relation=ref('int_entity_mentions_resolved')) }}
),

event_mentions as (
    select * from {{ ref('int_events_coded') }}
    where {{ incremental_filter('articles', relation=ref('int_events_coded')) }}
),

sentence_counts as (
    select
        article_id,
        count(*) as sentence_count,
        count(*) filter (where is_boilerplate) as boilerplate_sentence_count
    from sentences
    group by article_id
),

mention_counts as (
    select
        article_id,
        count(*) filter (where is_named_entity) as entity_mention_count
    from mentions
    group by article_id
),

event_counts as (
    select
        article_id,
        count(*) as event_mention_count
    from event_mentions
    group by article_id
),

final as (
    select
        articles.article_id,
        articles.title,
        articles.article_url,
        articles.author,
        articles.publisher,
        articles.wire_agency,
        articles.source_name,
        articles.published_at,
        articles.published_date,
        articles.reported_at,
        articles.reported_date,
        articles.published_date_source,
        articles.language_code,
        articles.word_count,
        articles.source_format,
        articles.story_cluster_id,
        articles.body_sha256,
        articles.input_sha256,
        articles.input_path,
        articles.item_no,
        articles.parser_version,
        articles.ingested_at,
        coalesce(sentence_counts.sentence_count, 0) as sentence_count,
        coalesce(sentence_counts.boilerplate_sentence_count, 0) as boilerplate_sentence_count,
        coalesce(mention_counts.entity_mention_count, 0) as entity_mention_count,
        coalesce(event_counts.event_mention_count, 0) as event_mention_count
    from articles
    left join sentence_counts on articles.article_id = sentence_counts.article_id
    left join mention_counts on articles.article_id = mention_counts.article_id
    left join event_counts on articles.article_id = event_counts.article_id
)

select * from final
