-- One row per coded predicate with the two actors of its event. Usually they
-- are the predicate's own (int_predicate_actors_resolved: subject and
-- target); a few coding conventions look further:
--   * an obligation ("Russia said Sudan must return the helicopter", coded
--     as a demand) is the speaker's demand: source = the subject of the
--     sentence's statement verb, target = the obliged party;
--   * an appeal, demand, disapproval, rejection or threat
--     (coding list complement_target_roots) with no target of its own is aimed at
--     the subject of its complement clause ("demanded that the US cancel");
--   * coordinated subjects of a reciprocal act (coding list reciprocal_roots) with
--     no target are each other's target, both ways ("Japan and France signed
--     a pact": JPN -> FRA and FRA -> JPN);
--   * a protest naming no target is aimed at the protesters' own government
--     (coding list domestic_target_roots).
-- Each actor is chosen from candidates ranked by rule priority, so every rule
-- is one small CTE and the columns are never repeated per rule.

with

coded as (
    select * from {{ ref('int_predicates_coded') }}
    where {{ incremental_filter('articles', relation=ref('int_predicates_coded')) }}
),

actors as (
    select * from {{ ref('int_predicate_actors_resolved') }}
    where {{ incremental_filter('articles', relation=ref('int_predicate_actors_resolved')) }}
),

predicates as (
    select * from {{ ref('stg_newswire__predicates') }}
    where {{ incremental_filter('articles', relation=ref('stg_newswire__predicates')) }}
),

sentence_verbs as (
    select
        predicates.predicate_id,
        predicates.sentence_id,
        predicates.verb_start,
        predicates.subject_start,
        predicates.subject_end,
        actors.actor1_entity_mention_id,
        actors.actor1_entity_id,
        actors.actor1_name,
        actors.actor1_code,
        actors.actor1_country_iso3,
        actors.actor1_resolution,
        actors.actor2_code
    from predicates
    inner join actors on predicates.predicate_id = actors.predicate_id
),

speaker as (
    -- the statement verb's subject nearest to an obligation ("must")
    select
        coded.predicate_id,
        0 as priority,
        'speaker' as resolution,
        statement.actor1_entity_mention_id as entity_mention_id,
        statement.actor1_entity_id as entity_id,
        statement.actor1_name as actor_name,
        statement.actor1_code as actor_code,
        statement.actor1_country_iso3 as actor_country_iso3
    from coded
    inner join sentence_verbs as own on coded.predicate_id = own.predicate_id
    inner join coded as statement_code
        on
            coded.sentence_id = statement_code.sentence_id
            and left(statement_code.event_code, 2) = '01'
    inner join sentence_verbs as statement
        on
            statement_code.predicate_id = statement.predicate_id
            and statement.actor1_entity_mention_id is not null
    where list_contains({{ coding_list('obligation_modals') }}, coded.control_lemma)
    qualify row_number() over (
        partition by coded.predicate_id
        order by
            abs(statement.verb_start - own.verb_start), statement.verb_start,
            statement.actor1_entity_mention_id
    ) = 1
),

complement_subject as (
    -- the nearest later verb of the sentence with a subject of its own
    select
        coded.predicate_id,
        2 as priority,
        'complement_subject' as resolution,
        complement.actor1_entity_mention_id as entity_mention_id,
        complement.actor1_entity_id as entity_id,
        complement.actor1_name as actor_name,
        complement.actor1_code as actor_code,
        complement.actor1_country_iso3 as actor_country_iso3
    from coded
    inner join sentence_verbs as own on coded.predicate_id = own.predicate_id
    inner join sentence_verbs as complement
        on
            own.sentence_id = complement.sentence_id
            and own.verb_start < complement.verb_start
            and complement.actor1_resolution = 'span'
            and complement.actor1_entity_id is distinct from own.actor1_entity_id
    where list_contains({{ coding_list('complement_target_roots') }}, left(coded.event_code, 2))
    qualify row_number() over (
        partition by coded.predicate_id order by complement.verb_start, complement.actor1_entity_mention_id
    ) = 1
),

reciprocal_partner as (
    -- another subject coordinated with this one: a row of the same verb with
    -- a different subject span; the nearest one
    select
        coded.predicate_id,
        3 as priority,
        'reciprocal' as resolution,
        partner.actor1_entity_mention_id as entity_mention_id,
        partner.actor1_entity_id as entity_id,
        partner.actor1_name as actor_name,
        partner.actor1_code as actor_code,
        partner.actor1_country_iso3 as actor_country_iso3
    from coded
    inner join sentence_verbs as own on coded.predicate_id = own.predicate_id
    inner join sentence_verbs as partner
        on
            own.sentence_id = partner.sentence_id
            and own.verb_start = partner.verb_start
            and (own.subject_start <> partner.subject_start or own.subject_end <> partner.subject_end)
            and partner.actor1_code is not null
            and partner.actor1_entity_id is distinct from own.actor1_entity_id
    where list_contains({{ coding_list('reciprocal_roots') }}, left(coded.event_code, 2))
    qualify row_number() over (
        partition by coded.predicate_id
        order by abs(partner.subject_start - own.subject_start), partner.subject_start, partner.predicate_id
    ) = 1
),

domestic_target as (
    select
        coded.predicate_id,
        4 as priority,
        'domestic_government' as resolution,
        null as entity_mention_id,
        null as entity_id,
        null as actor_name,
        left(actors.actor1_code, 3) || 'GOV' as actor_code,
        actors.actor1_country_iso3 as actor_country_iso3
    from coded
    inner join actors on coded.predicate_id = actors.predicate_id
    where
        list_contains({{ coding_list('domestic_target_roots') }}, left(coded.event_code, 2))
        and actors.actor1_country_iso3 is not null
        and actors.actor1_code is not null
),

own_actors as (
    select
        predicate_id,
        1 as priority,
        actor1_resolution as resolution,
        actor1_entity_mention_id as entity_mention_id,
        actor1_entity_id as entity_id,
        actor1_name as actor_name,
        actor1_code as actor_code,
        actor1_country_iso3 as actor_country_iso3,
        actor2_slot,
        actor2_entity_mention_id,
        actor2_entity_id,
        actor2_name,
        actor2_code,
        actor2_country_iso3
    from actors
),

own_target as (
    select
        predicate_id,
        actor2_slot as resolution,
        actor2_entity_mention_id as entity_mention_id,
        actor2_entity_id as entity_id,
        actor2_name as actor_name,
        actor2_code as actor_code,
        actor2_country_iso3 as actor_country_iso3,
        1 as priority
    from own_actors
    where actor2_code is not null or actor2_entity_mention_id is not null
),

obliged as (
    -- the obliged party of a speaker's demand: the predicate's own subject
    select
        own_actors.predicate_id,
        0 as priority,
        'obliged' as resolution,
        own_actors.entity_mention_id,
        own_actors.entity_id,
        own_actors.actor_name,
        own_actors.actor_code,
        own_actors.actor_country_iso3
    from speaker
    inner join own_actors on speaker.predicate_id = own_actors.predicate_id
),

actor1_candidates as (
    select * from speaker
    union all by name
    select
        * exclude (
            actor2_slot, actor2_entity_mention_id, actor2_entity_id, actor2_name, actor2_code, actor2_country_iso3
        )
    from own_actors
),

actor2_candidates as (
    select * from obliged
    union all by name
    select * from own_target
    union all by name
    select * from complement_subject
    union all by name
    select * from reciprocal_partner
    union all by name
    select * from domestic_target
),

actor1_chosen as (
    select * from actor1_candidates
    qualify row_number() over (partition by predicate_id order by priority) = 1
),

actor2_chosen as (
    select * from actor2_candidates
    qualify row_number() over (partition by predicate_id order by priority) = 1
),

final as (
    select
        coded.predicate_id,
        coded.article_id,
        actor1.entity_mention_id as actor1_entity_mention_id,
        actor1.entity_id as actor1_entity_id,
        actor1.actor_name as actor1_name,
        actor1.actor_code as actor1_code,
        actor1.actor_country_iso3 as actor1_country_iso3,
        actor1.resolution as actor1_resolution,
        actor2.entity_mention_id as actor2_entity_mention_id,
        actor2.entity_id as actor2_entity_id,
        actor2.actor_name as actor2_name,
        actor2.actor_code as actor2_code,
        actor2.actor_country_iso3 as actor2_country_iso3,
        actor2.resolution as actor2_resolution
    from coded
    left join actor1_chosen as actor1 on coded.predicate_id = actor1.predicate_id
    left join actor2_chosen as actor2 on coded.predicate_id = actor2.predicate_id
)

select * from final
