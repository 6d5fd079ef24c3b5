-- PostgreSQL's indexes for the queues and lists (0024_postgres_indexes.postgres.sql); DuckDB scans these tables
-- quickly enough with its zone maps, and an ART index there would slow every bulk write.
SELECT 1;
