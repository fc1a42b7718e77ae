"""Engines answering explorer.model.query.TimelineQueries: in memory, DuckDB over Parquet."""
