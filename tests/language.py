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
