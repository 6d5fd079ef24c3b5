"""Storage: the database and its migrations, the file store, scoping of reads and writes, the grid, exports."""
