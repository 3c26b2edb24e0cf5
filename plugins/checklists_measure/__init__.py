"""`checklists measure`: measure the configured images with a real container engine.

Docker or Podman builds each environment of mkdocs.yml twice (without cache, then with cache
after a simulated source change in a temporary copy of the context), reads the image size,
runs the container until it is healthy and samples its memory. The numbers go into one
versioned evidence file (`checks/readers/measurements.schema.json`) with their provenance;
the site's metric checks read it with `checks.readers.measurements`. Nothing here invents
a number: a step that cannot run is recorded as `failed` or `skipped` with the reason.

Modules: `command` (the subcommand), `engine` (engine detection and calls with timeouts),
`steps` (the measurement steps), `outputs` (parsers of engine output), `evidence` (hashes,
provenance and the evidence file).
"""
