"""What the language tests call Japanese text and an English sentence.

A text shown on the Japanese site may quote the target (file names, image names, commands,
stage names, excerpts) but must say what it says in Japanese. `english_runs` finds English
prose in it: three or more plain lowercase words in a row, one of them an English function
word ("the final stage runs", "no step pushes"), once code, quotes, paths and options are
taken out. Identifiers and commands ("checklists measure --env", "python:3.13-slim",
"interval=30s") are not prose and do not count.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
KANA = re.compile(r"[\u3040-\u30ff]")
# Quoted or code: `...`, '...', "...", 「...」, <...>, URLs, ${{ ... }}; taken out before judging.
_QUOTED = re.compile(
    r"`[^`]*`|'[^'\n]*'|\"[^\"\n]*\"|「[^」]*」|<[^>\n]*>|https?://\S+|\$\{\{[^}]*\}\}"
)
# A word that is part of an identifier, a path, an option or a value is not prose.
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[A-Za-z]{2,}[,;.:)]?|[a-z]")
FUNCTION_WORDS = frozenset(
    " ".join(
        (
            "a an the of to in is are was were be been no not and or with without for by from",
            "on at as its it has have had that which does do did can cannot but only this these",
            "those when if than so into out per any all each every there same one more after",
            "before because while what who where would should must may",
        )
    ).split()
)


def strip_quoted(text: str) -> str:
    return _QUOTED.sub(" ", text)


def english_runs(text: str) -> list[str]:
    """Runs of English prose in `text` (see the module's docstring)."""
    runs: list[list[str]] = [[]]
    for token in _TOKEN.findall(strip_quoted(text)):
        if _WORD.fullmatch(token) and not JAPANESE.search(token):
            runs[-1].append(token.rstrip(",;.:)").lower())
            if token[-1] in ",;.:)":
                runs.append([])
        else:
            runs.append([])
    return [
        " ".join(run)
        for run in runs
        if len(run) >= 3 and any(word in FUNCTION_WORDS for word in run)
    ]


def is_japanese(text: str) -> bool:
    """Japanese words in it, and no English prose."""
    return bool(JAPANESE.search(text)) and not english_runs(text)


def is_english(text: str) -> bool:
    """No kana outside what it quotes (a target's own names may be Japanese)."""
    return not KANA.search(strip_quoted(text))


class _VerdictTexts(HTMLParser):
    """The texts a page shows for its verdicts: each outcome (`.cl-outcome` on the guide; a
    plain paragraph of the report's evidence cells and shared causes), observed value
    (`.cl-value`) and evidence note (an `li` of `.cl-evidence-list`), without the file
    locations (`code.cl-where`) and excerpts (`pre`) that quote the target."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        # tag, kind collected, skipped, holds the report's outcome paragraphs
        self._stack: list[tuple[str, str | None, bool, bool]] = []
        self._lists = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        kind = None
        parent = self._stack[-1] if self._stack else None
        in_report = parent is not None and parent[0] in ("td", "li") and parent[3]
        if tag == "p" and ("cl-outcome" in classes or (in_report and not classes)):
            kind = "outcome"
        elif tag == "p" and "cl-value" in classes:
            kind = "value"
        elif tag == "li" and self._stack and self._stack[-1][0] == "ul" and self._lists:
            kind = "evidence"
        skipped = tag == "pre" or (tag == "code" and "cl-where" in classes)
        if tag == "ul" and "cl-evidence-list" in classes:
            self._lists += 1
        if kind is not None:
            self.found.append((kind, ""))
        holds = (tag == "td" and "cl-evidence-cell" in classes) or (
            tag == "li" and "cl-cause" in classes
        )
        if tag not in ("br", "img", "input", "wbr"):
            self._stack.append((tag, kind, skipped, holds))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag = self._stack.pop()[0]
            if open_tag == "ul" and self._lists:
                self._lists -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(entry[2] for entry in self._stack):
            return
        inside = [entry[1] for entry in self._stack if entry[1] is not None]
        if inside and self.found:
            kind, text = self.found[-1]
            self.found[-1] = (kind, text + data)


def verdict_texts(html: str) -> list[tuple[str, str]]:
    """(kind, text) of every outcome, value and evidence note on a built page."""
    parser = _VerdictTexts()
    parser.feed(html)
    return [(kind, " ".join(text.split())) for kind, text in parser.found if text.strip()]
