"""The core: the model of a claim and its check, and one run's evaluation.

Bindings and claims of a page, the check registry, the target as checks see it, the
runner and its cache, the verdicts, the messages in two languages, the plugin's options
and where a run finds them (`siteconfig`, `project`). The core imports no other role of
the engine (reports, site, cli) and no site generator (`tests/test_layers.py`).
"""
