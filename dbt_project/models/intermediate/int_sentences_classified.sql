-- One row per sentence, with the flags event coding needs: boilerplate (a
-- trailer paragraph and everything after it), lead position, a relative date
-- ("on Tuesday", "yesterday") resolved against the publication date, and tone.

with

sentences as (
    select * from {{ ref('stg_newswire__sentences') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__sentences')) }}
),

articles as (
    select * from {{ ref('stg_newswire__articles') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__articles')) }}
),

lexicon as (
    -- the tone lexicon (coding lists tone_positive_words, tone_negative_words)
    select
        {{ coding_list('tone_positive_words') }} as positive_words,
        {{ coding_list('tone_negative_words') }} as negative_words
),

flagged as (
    select
        sentences.*,
        articles.reported_date,
        articles.is_published_at_known,
        {{ is_boilerplate_text('sentences.sentence_text') }} as starts_boilerplate,
        {{ word_tokens('sentences.sentence_text') }} as words
    from sentences
    inner join articles on sentences.article_id = articles.article_id
),

trailer as (
    -- the first body paragraph that starts boilerplate, per article
    select
        article_id,
        min(paragraph_no) as first_boilerplate_paragraph_no
    from flagged
    where starts_boilerplate and section = 'body'
    group by article_id
),

dated as (
    select
        flagged.*,
        trailer.first_boilerplate_paragraph_no,
        -- first weekday named in the sentence, 0 = Sunday .. 6 = Saturday
        case
            when regexp_matches(lower(flagged.sentence_text), '\bsunday\b') then 0
            when regexp_matches(lower(flagged.sentence_text), '\bmonday\b') then 1
            when regexp_matches(lower(flagged.sentence_text), '\btuesday\b') then 2
            when regexp_matches(lower(flagged.sentence_text), '\bwednesday\b') then 3
            when regexp_matches(lower(flagged.sentence_text), '\bthursday\b') then 4
            when regexp_matches(lower(flagged.sentence_text), '\bfriday\b') then 5
            when regexp_matches(lower(flagged.sentence_text), '\bsaturday\b') then 6
        end as mentioned_weekday,
        regexp_matches(lower(flagged.sentence_text), '\byesterday\b') as mentions_yesterday
    from flagged
    left join trailer on flagged.article_id = trailer.article_id
),

final as (
    select
        dated.sentence_id,
        dated.article_id,
        dated.sentence_no,
        dated.section,
        dated.paragraph_no,
        dated.start_char,
        dated.end_char,
        dated.sentence_text,
        coalesce(dated.paragraph_no >= dated.first_boilerplate_paragraph_no, false) as is_boilerplate,
        dated.paragraph_no <= 1 as is_lead,
        case
            when dated.mentioned_weekday is not null then 'weekday'
            when dated.mentions_yesterday then 'yesterday'
            when dated.is_published_at_known then 'published_date'
            else 'ingested_date'
        end as event_date_source,
        case
            -- the most recent such weekday on or before the publication date
            when dated.mentioned_weekday is not null
                then cast(
                    dated.reported_date
                    - cast((dayofweek(dated.reported_date) - dated.mentioned_weekday + 7) % 7 as integer)
                    as date
                )
            when dated.mentions_yesterday then cast(dated.reported_date - 1 as date)
            else dated.reported_date
        end as event_date,
        len(dated.words) as word_count,
        case
            when len(dated.words) = 0 then 0.0
            else round(
                100.0 * (
                    len(list_filter(dated.words, w -> list_contains(lexicon.positive_words, w)))
                    - len(list_filter(dated.words, w -> list_contains(lexicon.negative_words, w)))
                ) / len(dated.words),
                3
            )
        end as tone
    from dated
    cross join lexicon
)

select * from final
