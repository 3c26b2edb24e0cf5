"""`checklists.extension`: the Markdown extension's public name, as users write it in
`markdown_extensions` (zensical.yml, mkdocs.yml); the extension lives in
`checklists.site.extension`."""

from checklists.site.extension import makeExtension

__all__ = ["makeExtension"]
