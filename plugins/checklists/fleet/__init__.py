"""The fleet: every service of an organisation judged by the guide, on one site.

One repository's CI already produces its `compliance.json`; the fleet gathers them:

- `records`: find reports, validate each against the engine's schema, keep a compact record
  (or the reason it was left out); `compliance.meta.json` beside a report says which
  repository, when, and which version of the checks.
- `model`: the latest report per repository grouped by version (never mixing versions),
  pass rates per item, trends carried forward day by day.
- `site`, `svg`, `text`: the static site (matrix, items, repositories) in Material's look.
- `aggregate`: the `checklists aggregate` pipeline.
- `fleetfile`, `scan`, `shard`, `stamp`: a central scan over a fleet file on a process pool,
  sharded across machines, resumable; and the provenance a repository's CI writes.
- `command`: the subcommands, registered through the `checklists.commands` entry points.

Only public functions of the engine are used (the CLI, the report schema, `render.esc` and
the badges, the registry); the engine does not know the fleet exists.
"""
