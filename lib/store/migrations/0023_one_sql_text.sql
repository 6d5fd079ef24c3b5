-- DuckDB has built in the functions that 0023_one_sql_text.postgres.sql gives PostgreSQL, so that the app's
-- statements are one text on both engines.
SELECT 1;
