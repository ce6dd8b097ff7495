"""Outputs: tables (CSV/JSONL/Parquet/XLSX); later REFI-QDA, HTML reports and plots."""

from .tables import TABLE_SUFFIXES, JsonlWriter, read_table, table_suffixes, write_jsonl, write_table

__all__ = ["TABLE_SUFFIXES", "JsonlWriter", "read_table", "table_suffixes", "write_jsonl", "write_table"]
