"""The words of the pages and the console in Kazakh, Russian and English, and the choice of language (Babel).

A page speaks Kazakh, Russian or English (DOMAIN.md, People and identifiers). The messages are gettext catalogues,
`locale/{kk,ru,en}/LC_MESSAGES/messages.po`, read with Babel when a language is first used (no compiled `.mo` to
build or ship: the `.po` files are the package data). A message id is a stable name (`valid_original_h`), not
English text, so that later messages (the officers' ones) join the same catalogues without touching these; the
text has `str.format` placeholders. A plural message (`msgid_plural`) has the forms of the language's CLDR plural
rule (Babel writes the `Plural-Forms` header: kk and en two, ru three) and is read with `Translator.plural`. Every
message has all three languages and the same placeholders in each (`check_catalogue`, which the tests run).

Extraction (babel.cfg): `pybabel extract -F babel.cfg -k t -k t.plural:1,1 -o messages.pot .` lists the ids the code
and the templates use; `pybabel update` merges them into the catalogues.

The language of a request (`negotiate`), first that applies:

1. `?lang=kk|ru|en` in the query (the language switch); the page then sets the cookie `lang`;
2. the cookie `lang` (the switch stays: one year, SameSite=Lax, HttpOnly: a preference, not a secret);
3. the best of kk, ru, en by the Accept-Language header (RFC 9110 §12.5.4: q values; `ru-KZ` counts as `ru`;
   the non-standard `kz` as `kk`);
4. no Accept-Language at all (or only `*`): Kazakh, the state language (`DEFAULT`), for pages; the switch is at
   the top of every page. The JSON API's problem details, which programs read, stay English then;
5. English (`FALLBACK`): a browser that asks for none of the three (a foreign employer) is most likely to read
   English.

Names that are reference data come from their owners: document type names from `verify.doctypes`, institution
names from the registry (`Institution.name_kk/ru/en`), the duplicate's stamp from
`verify.record.stamp_text` (seed 000, item 25). Times are shown in Kazakhstan's time, UTC+5 (the whole
country since 1 March 2024), dates as printed on the documents: CLDR's long date format through Babel (kk
"2026 ж. 30 маусым", ru "30 июня 2026 г.", en as in Britain "30 June 2026").
"""

from __future__ import annotations

import datetime as dt
import io
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from verify import Error
from verify.doctypes import get_document_type
from verify.texts import Text

LANGUAGES: Final = ("kk", "ru", "en")
"""The languages of the pages, in the order of the switch (the state language first)."""
DEFAULT: Final = "kk"
"""The language of a request that states no preference: Kazakh, the state language (Constitution, art. 7)."""
FALLBACK: Final = "en"
"""The language of a request whose Accept-Language names only other languages (a reader abroad)."""
LANGUAGE_NAMES: Final = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
"""Each language's name in itself (the switch)."""
COOKIE: Final = "lang"
COOKIE_MAX_AGE_S: Final = 365 * 24 * 3600
_ALIASES: Final = {"kz": "kk"}
KAZAKHSTAN_TIME: Final = dt.timezone(dt.timedelta(hours=5), "UTC+5")
"""Kazakhstan's single time zone since 1 March 2024."""

LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "messages"
DATE_LOCALES: Final = {"kk": "kk", "ru": "ru", "en": "en_GB"}
"""The CLDR locale of each language's dates: English dates are written day first, as in Britain."""
DATE_PATTERNS: Final = {"kk": "y 'ж'. d MMMM", "ru": "d MMMM y 'г'.", "en": "d MMMM y"}
"""CLDR's long date pattern of each language, with the ordinary spaces the documents print (CLDR puts a narrow
no-break space before "ж." and "г."); the month names are Babel's (the genitive in Russian)."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One language's messages: id -> text, or the forms of a plural message; and its gettext translations."""

    messages: Mapping[str, str | tuple[str, ...]]
    translations: Translations


@cache
def catalogue(lang: str) -> Catalogue:
    """The messages of one of `LANGUAGES`, read from its `.po` file once per process.

    Raises:
        KeyError: another language.
        OSError: the catalogue file is missing (a broken install).
    """
    if lang not in LANGUAGES:
        raise KeyError(lang)
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        po = read_po(handle, locale=lang, domain=DOMAIN)
    messages: dict[str, str | tuple[str, ...]] = {}
    for message in po:
        if not message.id:
            continue  # the header
        key = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
        string_ = message.string
        messages[key] = tuple(str(form) for form in string_) if isinstance(string_, tuple | list) else str(string_)
    compiled = io.BytesIO()
    write_mo(compiled, po)
    compiled.seek(0)
    return Catalogue(messages=messages, translations=Translations(compiled, domain=DOMAIN))


@cache
def _side_by_side() -> dict[str, dict[str, str | tuple[str, ...]]]:
    merged: dict[str, dict[str, str | tuple[str, ...]]] = {}
    for lang in LANGUAGES:
        for key, text in catalogue(lang).messages.items():
            merged.setdefault(key, {})[lang] = text
    return merged


class _Messages(Mapping[str, Mapping[str, str | tuple[str, ...]]]):
    """Message id -> {"kk", "ru", "en"}: the three catalogues side by side (read on first use)."""

    def __getitem__(self, key: str) -> Mapping[str, str | tuple[str, ...]]:
        return _side_by_side()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_side_by_side())

    def __len__(self) -> int:
        return len(_side_by_side())


CATALOGUE: Final = _Messages()
"""Message id -> {"kk", "ru", "en"} (see the module docstring); a plural message's value is its forms."""


def _placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


def check_catalogue(messages: Mapping[str, Mapping[str, str | tuple[str, ...]]] = CATALOGUE) -> list[str]:
    """Problems of the catalogues: a missing or empty language or plural form, placeholders that differ.

    Args:
        messages: message id -> {"kk", "ru", "en"} (default: the `.po` files, `CATALOGUE`); a plural message's
            value is its forms, and every form must have the same placeholders.

    Returns:
        One line per problem; empty when the catalogues are complete.
    """
    problems = []
    for key, texts in messages.items():
        missing = [lang for lang in LANGUAGES if not all(form.strip() for form in _forms(texts.get(lang, "")))]
        if missing or set(texts) != set(LANGUAGES):
            problems.append(f"{key}: languages {sorted(texts)}, missing {missing}")
            continue
        names = {lang: _placeholders(_forms(texts[lang])[0]) for lang in LANGUAGES}
        if len(set(names.values())) != 1 or any(_placeholders(form) != names[lang]
                                               for lang in LANGUAGES for form in _forms(texts[lang])):
            problems.append(f"{key}: placeholders differ: { {k: sorted(v) for k, v in names.items()} }")
    return problems


def _known(tag: str) -> str | None:
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else None


def parse_accept_language(header: str | None) -> str | None:
    """The best of `LANGUAGES` by an Accept-Language header (RFC 9110 §12.5.4), or None.

    Language ranges are matched by their primary subtag (`ru-KZ` is `ru`); among equal q values the earlier
    range wins; `q=0` excludes. A `*` range does not pick a language.

    Example:
        >>> parse_accept_language("de-DE,de;q=0.9,ru;q=0.8,en;q=0.7")
        'ru'
    """
    if not header:
        return None
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(header.split(",")[:32]):
        tag, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = _known(tag)
        if lang is None or not 0.0 < q <= 1.0:
            continue
        if best is None or (q, -position) > (best[0], -best[1]):
            best = (q, position, lang)
    return None if best is None else best[2]


def language_from(value: str | None) -> str | None:
    """A switch value (`?lang=`, the cookie) as one of `LANGUAGES`, or None."""
    if not value or len(value) > 16:
        return None
    return _known(value)


def states_no_language(header: str | None) -> bool:
    """Whether an Accept-Language header states no preference: absent, blank, or only `*` ranges."""
    return not header or all(item.split(";")[0].strip() in ("", "*") for item in header.split(",")[:32])


def negotiate(*, query: str | None, cookie: str | None, accept_language: str | None, default: str = DEFAULT) -> str:
    """The language of a page: the switch, the cookie, Accept-Language, else `default` (Kazakh for pages) when the
    request states no language and English when it names only others (module docstring).

    Args:
        default: the language of a request that states none: `DEFAULT` (kk) for pages people open, `FALLBACK` (en)
            for the problem details of the JSON API, which programs read.
    """
    return (language_from(query) or language_from(cookie) or parse_accept_language(accept_language)
            or (default if states_no_language(accept_language) else FALLBACK))


@dataclass(frozen=True, slots=True)
class Translator:
    """Messages, dates and reference-data names in one language.

    Attributes:
        lang: one of `LANGUAGES`.
    """

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        """The message `key` in this language, with its placeholders filled.

        Raises:
            KeyError: an unknown message id, a plural message (use `plural`), or a missing placeholder value
                (a programming error).
        """
        text = catalogue(self.lang).messages[key]
        if isinstance(text, tuple):
            raise KeyError(f"{key}: a plural message; use Translator.plural")
        return text.format(**values)

    def plural(self, key: str, count: int, **values: object) -> str:
        """The form of the plural message `key` for `count` (the language's CLDR rule), placeholders filled.

        Raises:
            KeyError: an unknown message id or a missing placeholder value.
        """
        if key not in catalogue(self.lang).messages:
            raise KeyError(key)
        return catalogue(self.lang).translations.ngettext(key, key, count).format(**values)

    def text(self, value: Text) -> str:
        """A `verify.texts.Text` in this language: its catalogue template with its parameters, each rendered here
        too (a nested `Text` in this language, a date in the long form, a time in Kazakhstan's time); "field: "
        first when it names a field. A key the catalogues lack (none should: tests/core/test_texts.py) gives the
        English text.
        """
        template = catalogue(self.lang).messages.get(value.key)
        if not isinstance(template, str):
            return value.english()
        body = template.format(**{name: self._value(param) for name, param in value.params.items()})
        return f"{value.field}: {body}" if value.field else body

    def _value(self, param: object) -> object:
        if isinstance(param, Text):
            return self.text(param)
        if isinstance(param, dt.datetime):
            return self.datetime(param)
        if isinstance(param, dt.date):
            return self.date(param)
        return param

    def error(self, exc: Error) -> str:
        """What a `verify` error says, in this language (its `Text`; its English message when it has none)."""
        return self.text(exc.text) if exc.text is not None else exc.message

    def date(self, value: dt.date) -> str:
        """A date as people write it (CLDR's long format): "2026 ж. 30 маусым", "30 июня 2026 г.", "30 June 2026"."""
        return format_date(value, format=DATE_PATTERNS[self.lang], locale=DATE_LOCALES[self.lang])

    def datetime(self, value: dt.datetime) -> str:
        """An aware time in Kazakhstan's time: the date, then HH:MM and the offset."""
        local = value.astimezone(KAZAKHSTAN_TIME)
        return f"{self.date(local.date())}, {format_time(local, 'HH:mm', locale=DATE_LOCALES[self.lang])} (UTC+5)"

    def doc_type_name(self, code: str) -> str:
        """The document type's name from `verify.doctypes`, or the code for an unknown one."""
        doc_type = get_document_type(code)
        return code if doc_type is None else doc_type.names[self.lang]

    def number_term(self, code: str, series: str, number: str) -> tuple[str, str]:
        """(label, value) of a document's number as the type prints it: "Series and number", "BD 0000042"; for the
        анықтама (seed 000 appendix 37), "Registration No.", "0000042" (`verify.doctypes.DocumentType.number_label`)."""
        doc_type = get_document_type(code)
        if doc_type is not None and doc_type.number_label is not None:
            return doc_type.number_label[self.lang], number
        return self("field_series_number"), f"{series} {number}"

    def switch(self) -> list[tuple[str, str, bool]]:
        """(code, name in itself, is current) for each language of the switch."""
        return [(code, LANGUAGE_NAMES[code], code == self.lang) for code in LANGUAGES]
