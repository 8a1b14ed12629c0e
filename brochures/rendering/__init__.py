"""Rendering: jobs, HTML from Jinja2, PDF from WeasyPrint, workers, quality gates, imposition."""
