"""Outputs: tables (CSV/JSONL/Parquet/XLSX); later REFI-QDA, HTML reports and plots."""

from .tables import TABLE_SUFFIXES, JsonlWriter, write_jsonl, write_table

__all__ = ["TABLE_SUFFIXES", "JsonlWriter", "write_jsonl", "write_table"]
