"""Typed errors and warnings.

Every error qualcoop raises derives from :class:`QualcoopError`, carries a short
stable ``code`` (like spaCy's ``E001``) and names the file, line, code or rule it
is about. Library code never prints or exits: the CLI turns these into messages
and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class QualcoopError(Exception):
    """Base class of every error qualcoop raises on purpose."""

    code = "Q000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")
        self.message = message


# --------------------------------------------------------------------------- extraction


class ExtractionError(QualcoopError):
    """A file could not be turned into a Document. Names the file and the reason."""

    code = "Q100"
    reason = "extraction failed"

    def __init__(self, path: str | Path, detail: str = "") -> None:
        self.path = str(path)
        self.detail = detail
        text = f"{self.path}: {self.reason}"
        if detail:
            text += f" ({detail})"
        super().__init__(text)

    def __reduce__(self):  # picklable across worker processes
        return (type(self), (self.path, self.detail))


class UnsupportedFormatError(ExtractionError):
    code = "Q101"
    reason = "unsupported file type"


class EmptyDocumentError(ExtractionError):
    code = "Q102"
    reason = "the file is empty or holds no text"


class CorruptDocumentError(ExtractionError):
    code = "Q103"
    reason = "the file is corrupt or malformed"


class EncryptedDocumentError(ExtractionError):
    code = "Q104"
    reason = "the file is encrypted and no valid password was given"


class DecodingError(ExtractionError):
    code = "Q105"
    reason = "the text is not valid in the detected encoding"


class ExtractionTimeoutError(ExtractionError):
    code = "Q106"
    reason = "extraction took longer than the time limit"


class ResourceLimitError(ExtractionError):
    code = "Q107"
    reason = "extraction exceeded a resource limit (memory, size or expansion ratio)"


class MetadataError(QualcoopError):
    """A metadata sidecar (metadata.csv / metadata.yaml / front matter) is malformed."""

    code = "Q110"

    def __init__(self, path: str | Path, detail: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.detail = detail
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {detail}")

    def __reduce__(self):
        return (type(self), (self.path, self.detail, self.line))


class SpeakerPatternError(QualcoopError):
    """A user speaker-label pattern (``ExtractOptions.speaker_pattern``) is unusable. Names the pattern."""

    code = "Q111"

    def __init__(self, pattern: str, detail: str) -> None:
        self.pattern = pattern
        self.detail = detail
        super().__init__(f"speaker pattern {pattern!r}: {detail}")

    def __reduce__(self):
        return (type(self), (self.pattern, self.detail))


# --------------------------------------------------------------------------- segmentation


class SegmentationError(QualcoopError):
    code = "Q200"


# --------------------------------------------------------------------------- codebooks


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a codebook: where it is and what is wrong."""

    path: str
    message: str
    line: int | None = None
    code_id: str | None = None
    rule_id: str | None = None
    kind: str = "error"  # error | warning

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        who = ""
        if self.code_id:
            who = f" code {self.code_id!r}"
        if self.rule_id:
            who += f" rule {self.rule_id!r}"
        return f"{where}:{who}: {self.message}" if who else f"{where}: {self.message}"


class CodebookError(QualcoopError):
    """A codebook is invalid. ``problems`` lists every problem found, not just the first."""

    code = "Q300"

    def __init__(self, path: str | Path, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.path = str(path)
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.path}: {len(self.problems)} problem(s) in codebook\n{lines}")

    def __reduce__(self):
        return (type(self), (self.path, self.problems))


class RuleError(QualcoopError):
    """A rule cannot be compiled or applied. Names the code and rule."""

    code = "Q310"

    def __init__(self, code_id: str, rule_id: str, detail: str) -> None:
        self.code_id = code_id
        self.rule_id = rule_id
        self.detail = detail
        super().__init__(f"code {code_id!r} rule {rule_id!r}: {detail}")

    def __reduce__(self):
        return (type(self), (self.code_id, self.rule_id, self.detail))


# --------------------------------------------------------------------------- registry / config


class RegistryError(QualcoopError):
    code = "Q400"


class LanguageError(QualcoopError):
    code = "Q410"


class TopicModelError(QualcoopError):
    """A topic model cannot be fitted, used, saved or loaded (names the model, file or option)."""

    code = "Q500"


# --------------------------------------------------------------------------- analysis


class AnalysisError(QualcoopError):
    """An analysis cannot run as asked (unknown attribute, bad window, unusable coded table)."""

    code = "Q600"


# --------------------------------------------------------------------------- warnings


class QualcoopWarning(UserWarning):
    """Base class of qualcoop's warnings."""


class ExtractionQualityWarning(QualcoopWarning):
    """Text came out, but something about it is doubtful (e.g. pages with no text layer)."""


class EncodingGuessWarning(QualcoopWarning):
    """The encoding of a text file was guessed, not declared."""


class RuleTimeoutWarning(QualcoopWarning):
    """A regex rule ran out of its time budget on a segment and was skipped there."""


class TopicWarning(QualcoopWarning):
    """A topic model fitted, but something about it is worth knowing (e.g. seed terms not in the vocabulary)."""


class CodebookWarning(QualcoopWarning):
    """A codebook loaded (or was written) but has things worth knowing; one warning lists them all.

    ``problems`` holds the :class:`Problem` values (``kind == "warning"``).
    """

    def __init__(self, path: str | Path, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.path = str(path)
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.path}: {len(self.problems)} warning(s) in codebook\n{lines}")

    def __reduce__(self):
        return (type(self), (self.path, self.problems))


@dataclass(frozen=True)
class Failure:
    """A file that failed in a batch: the path and the typed error, for the end-of-run report."""

    path: str
    error: QualcoopError
    kind: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", type(self.error).__name__)


# --------------------------------------------------------------------------- branch refi: REFI-QDA exchange


class RefiError(QualcoopError):
    """A REFI-QDA file (.qdpx/.qde/.qdc) cannot be read or written. Names the file (and the member
    or element) and the reason."""

    code = "Q1100"

    def __init__(self, path: str | Path, detail: str) -> None:
        self.path = str(path)
        self.detail = detail
        super().__init__(f"{self.path}: {detail}")

    def __reduce__(self):
        return (type(self), (self.path, self.detail))


class UnsafeInputError(RefiError):
    """A REFI-QDA file was refused as hostile: a DTD or entity in the XML, or a zip over the caps on
    member count, size or compression ratio."""

    code = "Q1101"
# --------------------------------------------------------------------------- store (branch store)


class StoreError(QualcoopError):
    """A project store could not be opened, migrated or written (names the project and the reason)."""

    code = "Q750"


class CodingsTableError(QualcoopError):
    """A codings table (or a filled coding or adjudication sheet) has problems; nothing was imported.

    ``problems`` lists every problem, each with file and row number: either a string
    (``"row 5: ..."``, the store's reader) or a :class:`Problem` whose ``line`` is the row as a
    spreadsheet shows it, the header being row 1 (the team branch's readers).
    """

    code = "Q751"

    def __init__(self, path: str | Path, problems: list[str | Problem] | tuple[str | Problem, ...]) -> None:
        self.path = str(path)
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {_problem_line(p)}" for p in self.problems)
        super().__init__(f"{self.path}: {len(self.problems)} problem(s) in codings table; nothing imported\n{lines}")

    def __reduce__(self):
        return (type(self), (self.path, self.problems))


def _problem_line(p: str | Problem) -> str:
    if isinstance(p, Problem):
        return f"{p.path} row {p.line}: {p.message}" if p.line is not None else f"{p.path}: {p.message}"
    return str(p)


# --------------------------------------------------------------------------- run (branch `run`, issue 10)


class RunSettingsError(QualcoopError):
    """A run option or path is unusable (unit, language, output format or folder, inputs, workers).

    Raised while the run's settings are resolved, before any file is read or any output touched.
    """

    code = "Q700"


class ExecutorError(QualcoopError):
    """An executor cannot be set up as asked (unknown name, bad worker count, Dask missing or unreachable)."""

    code = "Q720"


#: the closed set of error types a failed file gets in a batch (see :func:`error_type`); ``conflict``:
#: a project already holds another document under the file's id (branch store)
ERROR_TYPES = ("timeout", "memory", "malformed", "encrypted", "no_text", "decode", "unsupported",
               "unreadable", "metadata", "language", "segmentation", "rule", "internal", "conflict")


def error_type(error: BaseException) -> str:
    """The type of a per-file failure, one of :data:`ERROR_TYPES`."""
    table = ((ExtractionTimeoutError, "timeout"), (ResourceLimitError, "memory"),
             (EncryptedDocumentError, "encrypted"), (EmptyDocumentError, "no_text"),
             (DecodingError, "decode"), (UnsupportedFormatError, "unsupported"),
             (CorruptDocumentError, "malformed"), (MetadataError, "metadata"),
             (LanguageError, "language"), (SegmentationError, "segmentation"), (RuleError, "rule"),
             (StoreError, "conflict"))
    for kind, name in table:
        if isinstance(error, kind):
            return name
    if isinstance(error, ExtractionError):
        return "unreadable" if error.detail.startswith(("cannot read", "not a regular file")) else "malformed"
    if isinstance(error, MemoryError):
        return "memory"
    if isinstance(error, TimeoutError):
        return "timeout"
    return "internal"


# --------------------------------------------------------------------------- limits (branch hostile)


class LimitError(QualcoopError):
    """Input hit one of the limits in :mod:`qualcoop.limits`; names the limit and its value."""

    code = "Q790"

    def __init__(self, limit: str, value: object, detail: str) -> None:
        from .limits import limit_message

        self.limit = limit
        self.value = value
        self.detail = detail
        super().__init__(limit_message(limit, value, detail))

    def __reduce__(self):
        return (type(self), (self.limit, self.value, self.detail))


class PatternLimitError(LimitError):
    """A user pattern (regex, glob, speaker pattern) is too expensive to compile or run."""

    code = "Q791"


class InternalError(QualcoopError):
    """An unexpected exception while one document was extracted, segmented or coded (that document fails alone)."""

    code = "Q900"


def internal_error(e: BaseException, what: str = "") -> InternalError:
    """``e`` (an exception qualcoop did not foresee) as a typed :class:`InternalError`."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if len(text) > 300:
        text = text[:300] + "..."
    err = InternalError(f"{what + ': ' if what else ''}{type(e).__name__}" + (f": {text}" if text else ""))
    err.__cause__ = e
    return err


# --------------------------------------------------------------------------- learn (branch learn, issue 12)


class ModelFileError(QualcoopError):
    """A model file of ``qualcoop learn`` is not one, is damaged or is hostile (names the file and the reason)."""

    code = "Q850"

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: not a usable model file: {reason}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason))


class ModelCodebookError(ModelFileError):
    """A model was trained with another codebook (name, version or content) than the one given."""

    code = "Q851"

    def __init__(self, path: str, made_for: str, given: str) -> None:
        self.made_for = made_for
        self.given = given
        QualcoopError.__init__(self, f"{path}: the model was made for codebook {made_for}, not {given}; "
                                     "train it again with `qualcoop learn` on this codebook")
        self.path = path
        self.reason = f"made for {made_for}"

    def __reduce__(self):
        return (type(self), (self.path, self.made_for, self.given))
