"""The one table of language names and aliases (issue 10 item 1), in the lowest layer so that every
layer (extraction of a ``language`` attribute, the spaCy pipelines, run settings, projects) maps a
language the same way: ``"Indonesian"``, ``"Bahasa Indonesia"``, ``"ind"``, ``"id_ID"`` -> ``"id"``.

:func:`language_code` only maps; whether the code is supported is for the caller to check
(:func:`qualcoop.lang.pipelines.normalise_lang_code` raises for an unsupported one).
"""

from __future__ import annotations

__all__ = ["LANGUAGE_ALIASES", "language_code"]

#: lower-case language names and codes -> the ISO 639-1 code qualcoop uses
LANGUAGE_ALIASES: dict[str, str] = {
    "en": "en", "eng": "en", "english": "en", "inggris": "en", "bahasa inggris": "en",
    "id": "id", "ind": "id", "in": "id", "indonesian": "id", "indonesia": "id", "bahasa indonesia": "id",
    "bahasa": "id",
}


def language_code(value: object) -> str | None:
    """A language name or code as qualcoop's code: aliases mapped, case and region dropped.

    ``"English"`` -> ``"en"``, ``"Bahasa Indonesia"`` -> ``"id"``, ``"en-US"``/``"id_ID"`` -> ``"en"``/``"id"``;
    an unknown language comes back lower-cased without its region (``"fr-CA"`` -> ``"fr"``);
    ``None`` or a blank value -> ``None``.
    """
    if value is None:
        return None
    key = " ".join(str(value).split()).lower()
    if not key:
        return None
    if key in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[key]
    base = key.replace("_", "-").split("-")[0].strip()
    return LANGUAGE_ALIASES.get(base, base) or None
