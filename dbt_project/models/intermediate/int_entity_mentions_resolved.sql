-- One row per entity mention, resolved to
--   * a country (countries seed) for GPE / NORP / LOC mentions,
--   * a CAMEO actor code: the actor dictionary (cameo_actors) valid on the
--     article's publication date, else the country / sector prefix of a
--     dictionary actor with no entry valid then, else role words in front of a PERSON/ORG
--     mention ("Chinese Foreign Ministry spokeswoman Hua Chunying" -> CHN + GOV),
--     else the country of a GPE / NORP / LOC mention,
--   * a canonical entity key shared across articles (country, dictionary actor,
--     or label + canonical text).

with

mentions as (
    select * from {{ ref('stg_newswire__entity_mentions') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__entity_mentions')) }}
),

sentences as (
    select * from {{ ref('stg_newswire__sentences') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__sentences')) }}
),

articles as (
    select * from {{ ref('stg_newswire__articles') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__articles')) }}
),

countries as (
    select * from {{ ref('countries') }}
),

actors as (
    select * from {{ ref('int_actor_dictionary_unioned') }}
),

agents as (
    -- agent words normalised like the role text: lowercase words, single spaces
    select distinct
        trim(regexp_replace(lower(agent_word), '[^a-z0-9]+', ' ', 'g')) as agent_word,
        upper(trim(agent_code)) as agent_code
    from {{ ref('cameo_agents') }}
    where agent_word is not null and agent_code is not null
),

base as (
    select
        mentions.*,
        articles.reported_date,
        articles.reported_at,
        sentences.sentence_text,
        sentences.start_char as sentence_start_char,
        -- lookup key: lowercase, without a leading "the" or a trailing possessive
        regexp_replace(
            regexp_replace(lower(trim(mentions.normalized_text)), '^the\s+', ''),
            '[''’]s$',
            ''
        ) as lookup_text,
        regexp_replace(
            regexp_replace(lower(trim(mentions.canonical_text)), '^the\s+', ''),
            '[''’]s$',
            ''
        ) as canonical_lookup_text,
        mentions.entity_label in (
            'PERSON', 'NORP', 'FAC', 'ORG', 'GPE', 'LOC', 'PRODUCT', 'EVENT', 'WORK_OF_ART', 'LAW'
        ) as is_named_entity
    from mentions
    inner join articles on mentions.article_id = articles.article_id
    left join sentences on mentions.sentence_id = sentences.sentence_id
),

country_matches as (
    select
        base.entity_mention_id,
        countries.iso3 as country_iso3,
        countries.cameo_country_code,
        countries.country_name,
        countries.alias_type as country_alias_type
    from base
    -- a plural demonym names the country's people ("Iraqis", "Albanians")
    inner join countries
        on
            base.lookup_text = lower(countries.alias)
            or (
                countries.alias_type = 'demonym'
                and base.entity_label = 'NORP'
                and base.lookup_text = lower(countries.alias) || 's'
            )
    where base.entity_label in ('GPE', 'NORP', 'LOC')
    qualify row_number() over (
        partition by base.entity_mention_id
        order by
            base.lookup_text = lower(countries.alias) desc,
            case countries.alias_type when 'name' then 0 when 'demonym' then 1 else 2 end,
            countries.iso3
    ) = 1
),

lookup_keys as (
    -- the two keys a mention is looked up by: its canonical text (rank 0) and
    -- its own normalised text (rank 1); two equi-joins instead of an `in` join
    select
        entity_mention_id,
        reported_date,
        canonical_lookup_text as lookup_key,
        0 as alias_rank
    from base
    where entity_label not in ('DATE', 'TIME', 'PERCENT', 'MONEY', 'QUANTITY', 'ORDINAL', 'CARDINAL')
    union all
    select
        entity_mention_id,
        reported_date,
        lookup_text as lookup_key,
        1 as alias_rank
    from base
    where
        entity_label not in ('DATE', 'TIME', 'PERCENT', 'MONEY', 'QUANTITY', 'ORDINAL', 'CARDINAL')
        and lookup_text <> canonical_lookup_text
),

dictionary_matches as (
    -- every alias match, valid on the article date or not
    select
        lookup_keys.entity_mention_id,
        actors.actor_name,
        actors.actor_code,
        actors.country_iso3 as actor_country_iso3,
        lookup_keys.reported_date >= coalesce(actors.valid_from, date '0001-01-01')
        and lookup_keys.reported_date <= coalesce(actors.valid_to, date '9999-12-31') as is_valid_on_date,
        lookup_keys.alias_rank,
        actors.source_rank,
        actors.valid_from is null and actors.valid_to is null as is_open_ended,
        actors.valid_from
    from lookup_keys
    inner join actors on lookup_keys.lookup_key = actors.actor_alias
),

dictionary_any as (
    select
        entity_mention_id,
        actor_name,
        actor_code,
        actor_country_iso3
    from dictionary_matches
    qualify row_number() over (
        partition by entity_mention_id
        order by
            alias_rank asc,
            is_valid_on_date desc,
            source_rank asc,
            is_open_ended asc,
            valid_from desc nulls last,
            actor_code asc
    ) = 1
),

dictionary_valid as (
    select
        entity_mention_id,
        actor_name,
        actor_code,
        actor_country_iso3
    from dictionary_matches
    where is_valid_on_date
    qualify row_number() over (
        partition by entity_mention_id
        -- overlay first, then a bounded validity window over an open-ended default
        order by alias_rank asc, source_rank asc, is_open_ended asc, valid_from desc nulls last, actor_code asc
    ) = 1
),

role_windows as (
    -- the words right in front of a PERSON / ORG mention, back to the previous
    -- punctuation or dash, plus the mention's own words for organisations
    select
        base.entity_mention_id,
        base.article_id,
        base.sentence_id,
        base.start_char,
        base.entity_label,
        base.sentence_text,
        base.sentence_start_char,
        greatest(base.sentence_start_char, base.start_char - {{ var('role_window_chars') }}) as window_start_char,
        string_split(
            regexp_extract(
                substring(
                    base.sentence_text,
                    greatest(1, base.start_char - {{ var('role_window_chars') }} - base.sentence_start_char + 1),
                    base.start_char
                    - greatest(base.sentence_start_char, base.start_char - {{ var('role_window_chars') }})
                ),
                '([^,;:()"\[\]]*)$',
                1
            ),
            ' - '
        )[-1] as role_prefix,
        -- an apposition right after a person's name: "Carrie Lam, the chief
        -- executive of the Hong Kong Special Administrative Region, said"
        case
            when base.entity_label = 'PERSON'
                then regexp_extract(
                    substring(base.sentence_text, base.end_char - base.sentence_start_char + 1, 120),
                    '^\s*,\s*((the|a|an)\s+)?([^,;:()"\[\]]{3,100})',
                    3
                )
            else ''
        end as appositive,
        base.end_char
    from base
    where base.entity_label in ('PERSON', 'ORG') and base.sentence_text is not null
),

role_texts as (
    select
        role_windows.*,
        ' ' || trim(regexp_replace(
            lower(
                role_windows.role_prefix
                -- an organisation's own words, and a title the model kept inside a
                -- person's name ("Archbishop Desmond Tutu")
                || ' ' || base.normalized_text
                || ' ' || coalesce(role_windows.appositive, '')
            ),
            '[^a-z0-9]+',
            ' ',
            'g'
        )) || ' ' as role_text,
        ' ' || trim(regexp_replace(lower(base.normalized_text), '[^a-z0-9]+', ' ', 'g')) || ' ' as own_text,
        base.start_char - length(role_windows.role_prefix) as role_start_char,
        -- the end of the apposition (the mention's own end when there is none)
        role_windows.end_char
        + case
            when coalesce(role_windows.appositive, '') = '' then 0
            else strpos(
                substring(role_windows.sentence_text, role_windows.end_char - role_windows.sentence_start_char + 1),
                role_windows.appositive
            ) + length(role_windows.appositive) - 1
        end as role_end_char
    from role_windows
    inner join base on role_windows.entity_mention_id = base.entity_mention_id
),

role_ngrams as (
    -- every run of 1..12 consecutive words of the role text (agent phrases are
    -- at most 11 words), so agent words are found with an equi-join
    select
        tokenized.entity_mention_id,
        array_to_string(list_slice(tokenized.tokens, starts.start_no, starts.start_no + lengths.n_words - 1), ' ')
            as ngram,
        starts.start_no + lengths.n_words - 1 as end_no
    from (
        select
            entity_mention_id,
            string_split(trim(role_text), ' ') as tokens
        from role_texts
    ) as tokenized
    cross join unnest(generate_series(1, len(tokenized.tokens))) as starts (start_no)
    cross join unnest(generate_series(1, 12)) as lengths (n_words)
    where starts.start_no + lengths.n_words - 1 <= len(tokenized.tokens)
),

role_agents as (
    select
        role_ngrams.entity_mention_id,
        agents.agent_code
    from role_ngrams
    inner join agents on role_ngrams.ngram = agents.agent_word
    qualify row_number() over (
        partition by role_ngrams.entity_mention_id
        -- the longest (most specific) phrase wins, then the one closest to the name
        order by
            length(agents.agent_word) desc,
            role_ngrams.end_no desc,
            agents.agent_code asc
    ) = 1
),

role_orgs as (
    -- "Chinese Foreign Ministry spokeswoman Hua Chunying": a person speaking for
    -- an organisation named right in front of them takes the organisation's code
    select
        role_texts.entity_mention_id,
        org.entity_mention_id as org_entity_mention_id
    from role_texts
    inner join base as org
        on
            role_texts.sentence_id = org.sentence_id
            and role_texts.entity_label = 'PERSON'
            and org.entity_label = 'ORG'
            and role_texts.role_start_char <= org.start_char
            and role_texts.start_char >= org.end_char
    qualify row_number() over (
        partition by role_texts.entity_mention_id order by org.start_char desc
    ) = 1
),

role_countries as (
    -- a country-like mention inside the role words ("Japanese", "Russia's"),
    -- or, for an organisation, a demonym inside its own name
    select
        role_texts.entity_mention_id,
        country_matches.cameo_country_code,
        country_matches.country_iso3
    from role_texts
    inner join base as modifier
        on
            role_texts.sentence_id = modifier.sentence_id
            and role_texts.entity_mention_id <> modifier.entity_mention_id
            and (
                (role_texts.role_start_char <= modifier.start_char and role_texts.start_char >= modifier.end_char)
                or (role_texts.end_char <= modifier.start_char and role_texts.role_end_char >= modifier.end_char)
            )
    inner join country_matches on modifier.entity_mention_id = country_matches.entity_mention_id
    left join role_agents on role_texts.entity_mention_id = role_agents.entity_mention_id
    -- the country must belong to the title: role words found, or right in front
    where
        (role_texts.entity_label = 'PERSON' and role_agents.agent_code is not null)
        or regexp_matches(
            substring(
                role_texts.sentence_text,
                modifier.end_char - role_texts.sentence_start_char + 1,
                role_texts.start_char - modifier.end_char
            ),
            '^([''’]s)?\s*$'
        )
    qualify row_number() over (
        partition by role_texts.entity_mention_id
        -- the title in front of the name first, then the apposition after it
        order by modifier.start_char < role_texts.start_char desc, modifier.start_char desc
    ) = 1
),

org_own_countries as (
    select
        role_texts.entity_mention_id,
        countries.cameo_country_code,
        countries.iso3 as country_iso3
    from role_texts
    inner join countries
        on
            role_texts.entity_label = 'ORG'
            and countries.alias_type in ('name', 'demonym')
            and contains(role_texts.own_text, ' ' || lower(countries.alias) || ' ')
    qualify row_number() over (
        partition by role_texts.entity_mention_id order by length(countries.alias) desc, countries.iso3
    ) = 1
),

resolved as (
    select
        base.*,
        country_matches.country_iso3 as mention_country_iso3,
        country_matches.cameo_country_code,
        country_matches.country_name,
        country_matches.country_alias_type,
        dictionary_valid.actor_code as dictionary_actor_code,
        dictionary_valid.actor_country_iso3 as dictionary_country_iso3,
        dictionary_any.actor_name as dictionary_actor_name,
        -- a known actor without an entry valid on the date ("President Reagan"
        -- in 2000) keeps the country / sector part of its code
        left(dictionary_any.actor_code, 3) as dictionary_prefix_code,
        dictionary_any.actor_country_iso3 as dictionary_any_country_iso3,
        coalesce(role_countries.cameo_country_code, org_own_countries.cameo_country_code) as role_country_code,
        coalesce(role_countries.country_iso3, org_own_countries.country_iso3) as role_country_iso3,
        role_agents.agent_code as role_agent_code,
        role_orgs.org_entity_mention_id as role_org_entity_mention_id
    from base
    left join country_matches on base.entity_mention_id = country_matches.entity_mention_id
    left join dictionary_valid on base.entity_mention_id = dictionary_valid.entity_mention_id
    left join dictionary_any on base.entity_mention_id = dictionary_any.entity_mention_id
    left join role_countries on base.entity_mention_id = role_countries.entity_mention_id
    left join org_own_countries on base.entity_mention_id = org_own_countries.entity_mention_id
    left join role_agents on base.entity_mention_id = role_agents.entity_mention_id
    left join role_orgs on base.entity_mention_id = role_orgs.entity_mention_id
),

keyed as (
    select
        *,
        case
            when dictionary_actor_code is not null then dictionary_actor_code
            when dictionary_prefix_code is not null then dictionary_prefix_code
            when role_country_code is not null then role_country_code || coalesce(role_agent_code, '')
            when cameo_country_code is not null then cameo_country_code
            -- "Judge Alejandro Rivera", "President Dos Santos": the role alone,
            -- GDELT's country-less sector code
            when role_agent_code is not null then role_agent_code
        end as actor_code,
        case
            when dictionary_actor_code is not null then 'actor_dictionary'
            when dictionary_prefix_code is not null then 'actor_dictionary_country'
            when role_country_code is not null then 'role_words'
            when cameo_country_code is not null then 'country'
            when role_agent_code is not null then 'role_only'
        end as actor_code_source,
        coalesce(
            dictionary_country_iso3, dictionary_any_country_iso3, role_country_iso3, mention_country_iso3
        ) as actor_country_iso3,
        case
            when not is_named_entity then null
            when mention_country_iso3 is not null and country_alias_type in ('name', 'demonym')
                then 'country:' || mention_country_iso3
            when dictionary_actor_name is not null and entity_label in ('PERSON', 'ORG')
                then 'actor:' || lower(dictionary_actor_name)
            else lower(entity_label) || ':' || canonical_lookup_text
        end as entity_key,
        case
            when mention_country_iso3 is not null and country_alias_type in ('name', 'demonym') then country_name
            when dictionary_actor_name is not null and entity_label in ('PERSON', 'ORG') then dictionary_actor_name
            else canonical_text
        end as entity_canonical_name
    from resolved
),

with_orgs as (
    -- a person without a dictionary entry speaking for a coded organisation
    -- named right in front of them takes that organisation's code
    select
        keyed.* replace (
            case
                when keyed.dictionary_actor_code is null and org.actor_code is not null then org.actor_code
                else keyed.actor_code
            end as actor_code,
            case
                when keyed.dictionary_actor_code is null and org.actor_code is not null then 'role_organisation'
                else keyed.actor_code_source
            end as actor_code_source,
            case
                when keyed.dictionary_actor_code is null and org.actor_code is not null then org.actor_country_iso3
                else keyed.actor_country_iso3
            end as actor_country_iso3
        )
    from keyed
    left join keyed as org on keyed.role_org_entity_mention_id = org.entity_mention_id
),

final as (
    select
        entity_mention_id,
        article_id,
        sentence_id,
        sentence_no,
        mention_no,
        start_char,
        end_char,
        mention_text,
        entity_label,
        normalized_text,
        canonical_text,
        head_lemma,
        extraction_source,
        is_named_entity,
        reported_date,
        reported_at,
        entity_key,
        case when entity_key is not null then {{ surrogate_key(['entity_key']) }} end as entity_id,
        entity_canonical_name,
        mention_country_iso3 as country_iso3,
        actor_code,
        actor_code_source,
        actor_country_iso3,
        role_agent_code
    from with_orgs
)

select * from final
