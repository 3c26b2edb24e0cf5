"""The core: the model of a claim and its check, and one run's evaluation.

Bindings and claims of a page (`scanner`, `bindings`, `claims`), the check registry, the
target as checks see it, the runner and its cache, the verdicts, the messages in two
languages, the plugin's options and where a run finds them (`siteconfig`, `project`), the
files a run writes (`files`) and what programs beside the engine read of a site
(`programs`, exported by the public API). The core imports no other role of the engine
(reports, site, cli) and no site generator (`tests/test_layers.py`).
"""
