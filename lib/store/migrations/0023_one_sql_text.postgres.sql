-- DuckDB's functions the app's statements use, given to PostgreSQL under the same names and meanings, so that the
-- statements stay one text on both engines (lib/store/sql_text.py numbers their placeholders). Each is a plain
-- SQL function the planner inlines.

CREATE FUNCTION contains(haystack text, needle text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT strpos(haystack, needle) > 0 $$;

CREATE FUNCTION string_split(whole text, separator text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT string_to_array(whole, separator) $$;

CREATE FUNCTION list_contains(list anycompatiblearray, element anycompatible) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(element = ANY(list), false) $$;

CREATE FUNCTION len(list anyarray) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT cardinality(list) $$;

CREATE FUNCTION len(whole text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT length(whole) $$;

-- DuckDB's strftime for the formats the app uses: %Y, %m, %d, %H, %M, %S (anything else is kept as written).
CREATE FUNCTION strftime(moment timestamp, format text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(replace(replace(format,
        '%Y', to_char(moment, 'YYYY')), '%m', to_char(moment, 'MM')), '%d', to_char(moment, 'DD')),
        '%H', to_char(moment, 'HH24')), '%M', to_char(moment, 'MI')), '%S', to_char(moment, 'SS')) $$;

CREATE FUNCTION strftime(day date, format text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT strftime(day::timestamp, format) $$;

-- any_value and first: some value of the group (PostgreSQL 16 has any_value; 15 does not).
CREATE FUNCTION ilma_keep_first(kept anyelement, offered anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT coalesce(kept, offered) $$;

CREATE AGGREGATE any_value(anyelement) (SFUNC = ilma_keep_first, STYPE = anyelement);
CREATE AGGREGATE first(anyelement) (SFUNC = ilma_keep_first, STYPE = anyelement);

-- list(x): the group's values as an array, as array_agg gives them.
CREATE AGGREGATE list(anycompatible) (SFUNC = array_append, STYPE = anycompatiblearray);

CREATE FUNCTION year(moment timestamp) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CAST(extract(year FROM moment) AS integer) $$;
