"""Every resource limit qualcoop applies to hostile or extreme input, in one place.

A limit that is hit becomes a typed error naming the limit and its value (see
:func:`limit_message`); nothing is truncated silently. Each limit can be raised: the
options named in :data:`RAISE_WITH` (README, "Limits") say how.

Standard library only: every layer (codebook readers, extractors, the rule engine, the
CLI) reads its limits from here.
"""

from __future__ import annotations

__all__ = [
    "EXTRACT_TIMEOUT", "MAX_FILE_BYTES", "MAX_ZIP_RATIO", "MAX_ZIP_UNCOMPRESSED",
    "MAX_ZIP_MEMBERS", "MAX_YAML_NODES", "MAX_NESTING", "MAX_REGEX_PROGRAM", "MAX_REGEX_LENGTH",
    "REGEX_TIMEOUT", "MAX_TIMEOUTS", "MAX_RUN_TIMEOUTS", "SPEAKER_PATTERN_TIMEOUT", "MAX_SENTENCE_CHARS",
    "HEADING_PATTERN_TIMEOUT", "RAISE_WITH",
    "limit_message",
]

# --------------------------------------------------------------------------- extraction (per file)

#: seconds the whole extraction of one file may take (``--timeout``, ``ExtractOptions.timeout``)
EXTRACT_TIMEOUT = 120.0
#: MiB the extraction child may grow by (``--memory-limit``, ``ExtractOptions.memory_limit_mb``)
EXTRACT_MEMORY_MB = 2048
#: bytes of one input file (``ExtractOptions.max_bytes``)
MAX_FILE_BYTES = 512 * 1024 * 1024
#: an office-zip part that inflates more than this many times is refused
MAX_ZIP_RATIO = 200
#: total uncompressed bytes read from one office zip
MAX_ZIP_UNCOMPRESSED = 256 << 20
#: members of one office zip
MAX_ZIP_MEMBERS = 10_000

# --------------------------------------------------------------------------- structured text

#: nodes a YAML document may expand to, aliases counted each time they are used ("billion laughs");
#: codebooks, quanteda dictionaries, metadata.yaml and front matter alike
MAX_YAML_NODES = 2_000_000
#: nesting depth of a YAML/JSON document (mappings and sequences inside each other)
MAX_NESTING = 100

# --------------------------------------------------------------------------- user patterns

#: size of a compiled regular expression, counted in pattern items with counted repeats
#: expanded (``(a{100}){100}`` is 10,000); the ``regex`` module unrolls them at compile time
MAX_REGEX_PROGRAM = 100_000
#: characters of one user regular expression or glob
MAX_REGEX_LENGTH = 10_000
#: seconds one regex rule (or a spaCy ``REGEX`` token attribute) may run on one segment
REGEX_TIMEOUT = 0.25
#: time-outs after which a rule is not run again in the same run (counted per run, not per document)
MAX_TIMEOUTS = 20
#: time-outs of all rules in one run after which every rule that has timed out is off
MAX_RUN_TIMEOUTS = 100
#: seconds a speaker-label pattern may take on one line
SPEAKER_PATTERN_TIMEOUT = 1.0
#: seconds a custom article-heading pattern (``segment(doc, "article", pattern=...)``) may take
#: on one document
HEADING_PATTERN_TIMEOUT = 5.0

# --------------------------------------------------------------------------- segmentation

#: characters of one text spaCy splits into sentences (its own limit is 1,000,000 per ``Doc``)
MAX_SENTENCE_CHARS = 1_000_000

#: how each limit is raised: every limit can be set in the environment as ``QUALCOOP_<NAME>``
#: (e.g. ``QUALCOOP_MAX_REGEX_PROGRAM=500000``) except the regex time budget, which is an argument
RAISE_WITH: dict[str, str] = {
    **{name: f"QUALCOOP_{name}=... in the environment" for name in (
        "EXTRACT_MEMORY_MB", "MAX_FILE_BYTES", "MAX_ZIP_RATIO", "MAX_ZIP_UNCOMPRESSED", "MAX_ZIP_MEMBERS",
        "MAX_YAML_NODES", "MAX_NESTING", "MAX_REGEX_PROGRAM", "MAX_REGEX_LENGTH", "SPEAKER_PATTERN_TIMEOUT",
        "MAX_RUN_TIMEOUTS", "HEADING_PATTERN_TIMEOUT",
        "MAX_SENTENCE_CHARS")},
    "EXTRACT_TIMEOUT": "--timeout SECONDS, or QUALCOOP_EXTRACT_TIMEOUT=... in the environment",
    "EXTRACT_MEMORY_MB": "--memory-limit MB, or QUALCOOP_EXTRACT_MEMORY_MB=... in the environment",
    "REGEX_TIMEOUT": "compile_codebook(regex_timeout=...)",
    "MAX_TIMEOUTS": "compile_codebook(max_timeouts=...)",
}


def current(name: str):
    """The value of limit ``name`` now (an environment variable ``QUALCOOP_<NAME>`` overrides it)."""
    import os

    value = globals()[name]
    env = os.environ.get(f"QUALCOOP_{name}")
    if env:
        try:
            return type(value)(env)
        except ValueError:
            pass
    return value


def limit_message(name: str, value: object, what: str) -> str:
    """``"<what> (limit NAME = value; raise with ...)"``: the text of every limit error."""
    how = RAISE_WITH.get(name)
    return f"{what} (limit {name} = {value}" + (f"; raise with {how})" if how else ")")
