"""The floor every app stands on: text, fields, periods, forms, request helpers.

Nothing here imports `meetings` or `reports` (healthchecks' hc/lib)."""
