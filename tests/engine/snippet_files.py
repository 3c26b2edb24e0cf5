"""A check package's `snippet_file` for the engine's tests of the guide's code blocks: a
```text block is `file.txt`; a ```note block is `notes/file.txt` with a line the library
puts in front of the author's lines (like `FROM scratch` before a Dockerfile fragment)."""

from __future__ import annotations

from checklists.core.snippets import VirtualFile


def snippet_file(language: str, text: str) -> VirtualFile | None:
    if language == "text":
        return VirtualFile("file.txt", text)
    if language == "note":
        return VirtualFile("notes/file.txt", "added\n" + text, offset=1, note="a line added")
    return None
