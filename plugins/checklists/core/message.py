"""Messages with one source and every language the site speaks (English and Japanese).

A check states what it found once, at the place it finds it, in both languages:

    tr("the final stage runs as {user}", "最終ステージは {user} で実行", user=name)

`tr` gives a `Message`: a `str` whose value is the English text, carrying the Japanese
text beside it. Both are filled from the same parameters when the check runs; which one a
reader sees is chosen when the outcome is rendered (`localize(text, lang)`), so a check
runs once and its outcome is shown in whatever language the page, report or command line
needs. Being a `str`, a message goes wherever a summary, an evidence note or a value went
before, and anything that does not ask for a language (a log line, a third party's code)
gets the English text. A plain `str` (a third-party check's message) is shown as-is in
every language.

Parameters are inserted as they are (identifiers, paths, image names, commands stay
untranslated) with these exceptions, rendered per language:

- a `Message` (a stage label, a reason, a clause built elsewhere) in the same language;
- a `Quantity` (a size, a duration, a percentage) as the guide writes it (`limits`), and
  anything else with a `localized(lang)` method;
- a list or tuple of parameters, joined with ", " in English and "、" in Japanese
  (`join` takes other separators).

Both templates must use the same parameters: a typo or a forgotten parameter raises
`ValueError` where the message is made, so the sample tests find it, not a reader.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from checklists.core.limits import Kind

LANGUAGES = ("ja", "en")
LIST_SEPARATORS = {"en": ", ", "ja": "、"}

Param = Any  # str | int | float | Message | Quantity | list/tuple of these (see `_value`)


class Message(str):
    """A user-facing text: its `str` value is the English, `ja` the Japanese."""

    ja: str

    def __new__(cls, en: str, ja: str, /, **params: Param) -> Message:
        return _made(cls, en, ja, params)

    @classmethod
    def texts(cls, en: str, ja: str) -> Message:
        """A message from finished texts (no parameters, braces taken literally)."""
        made = str.__new__(cls, en)
        made.ja = ja
        return made

    @property
    def en(self) -> str:
        return str.__str__(self)

    def localized(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (Message.texts, (self.en, self.ja))


def tr(en: str, ja: str, /, **params: Param) -> Message:
    """A message in English and Japanese from one pair of templates and their parameters."""
    return _made(Message, en, ja, params)


# Parameters inserted as they are in every language (exact types: a `Message` is a `str`
# subclass and renders per language). Checks make tens of thousands of messages in a large
# build, so the common case of plain parameters skips the per-language conversion.
_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def _made(cls: type[Message], en: str, ja: str, params: dict[str, Param]) -> Message:
    _same_fields(en, ja)  # cached per pair of templates
    if all(type(v) in _PLAIN for v in params.values()):
        return cls.texts(_fill(en, params, "en", params), _fill(ja, params, "ja", params))
    return cls.texts(_fill(en, params, "en"), _fill(ja, params, "ja"))


def localize(text: str | None, lang: str) -> str:
    """The text in `lang`: a `Message` in that language, any other string as it is."""
    if text is None:
        return ""
    if isinstance(text, Message):
        return text.localized(lang)
    return text


def join(items: Iterable[str], en: str = ", ", ja: str = "、") -> Message:
    """Texts joined with a separator per language, each item in the same language."""
    parts = list(items)
    return Message.texts(
        en.join(localize(p, "en") for p in parts), ja.join(localize(p, "ja") for p in parts)
    )


def quantity(value: float, kind: Kind) -> Message:
    """A size, duration or percentage as the guide writes it in each language."""
    from checklists.core.limits import Quantity  # noqa: PLC0415 - limits imports this module

    return tr("{q}", "{q}", q=Quantity(value, kind))


class Localized(Protocol):
    """A parameter that renders itself per language (a `limits.Quantity`)."""

    def localized(self, lang: str) -> str: ...


def _value(param: Param, lang: str) -> object:
    if isinstance(param, Message):
        return param.localized(lang)
    if not isinstance(param, str) and callable(getattr(param, "localized", None)):
        return param.localized(lang)
    if isinstance(param, list | tuple):
        return LIST_SEPARATORS[lang].join(str(_value(p, lang)) for p in param)
    return param


def _fill(
    template: str,
    params: Mapping[str, Param],
    lang: str,
    values: Mapping[str, object] | None = None,
) -> str:
    """The template filled; `values` are the parameters already rendered for `lang`."""
    try:
        if values is None:
            values = {k: _value(v, lang) for k, v in params.items()}
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(f"cannot fill the message {template!r}: {error!r}") from None


@functools.lru_cache(maxsize=4096)
def _same_fields(en: str, ja: str) -> None:
    """Both templates name the same parameters (checked once per pair of templates)."""
    fields = [
        {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(t) if name}
        for t in (en, ja)
    ]
    if fields[0] != fields[1]:
        raise ValueError(
            f"the English and Japanese texts name different parameters: {sorted(fields[0])} "
            f"in {en!r}, {sorted(fields[1])} in {ja!r}"
        )


_WIDE = r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]"
_WRAPPED = re.compile(rf"(?<={_WIDE})\n[ \t]*(?![ \t]*(?:[-*+]|\d+\.)\s)(?=\S)")


def unwrap(text: str) -> str:
    """Japanese prose (a docstring's) with the line breaks after a Japanese character
    joined: a browser shows a break inside a paragraph as a space, which Japanese text does
    not have. A line that starts a list item, a blank line and breaks after Latin text stay."""
    return _WRAPPED.sub("", text)
