"""Spreadsheet imports of enterprises and records: the pipeline (services), its pages, API and jobs."""
