"""The site: MkDocs wiring (`plugin`, the only module importing mkdocs), the Markdown
extension for other generators (`extension`), the HTML of verdicts (`render`), the
generated pages (`pages`), the check catalog (`catalog`) and the site's assets.

It imports the core and the reports, never the command line."""
