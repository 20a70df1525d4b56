"""What every command of the three packages shares: option names, the output rule, logging and failure.

One spelling for each kind of option: ``--input FILE``, ``--output FILE`` (or ``--output-dir DIR``),
``--model DIR``, ``--force`` (overwrite existing outputs), ``--quiet`` (warnings only). One rule
for outputs: an existing one is refused before any work starts unless ``--force`` is given.
An output is never one of the command's inputs, ``--force`` or not. One way to fail: ``error: ...``
on stderr and exit status 1 (:func:`run`); Ctrl-C is one line and status 130. It lives in
``labeling``, the bottom layer, so that ``inference`` and ``training`` can use it too.

Old spellings (``--data``, ``--out``, ``-o``, bare file arguments) still work: :class:`Parser`
rewrites them to the new ones before parsing and warns, so help, usage and the checks of
required options know only the new style.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from labeling.exceptions import DealExtractionError, Interrupted, OutputExistsError, OutputIsInputError, UsageError

log = logging.getLogger(__name__)
#: The inputs of a command, as its options give them (None for an option not given).
Inputs = Iterable["str | os.PathLike[str] | None"]
PACKAGES = ("labeling", "inference", "training")
_DEPRECATED = "deprecated_spellings"  # namespace attribute: notes of the old spellings met


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that also accepts deprecated spellings, rewritten to the new ones before parsing."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)
        self.aliases: dict[str, str] = {}
        self.positional_options: tuple[str, ...] = ()

    def add_alias(self, old: str, new: str) -> None:
        """Accept the option ``old`` as a hidden spelling of ``new``."""
        self.aliases[old] = new

    def accept_positionals(self, *options: str) -> None:
        """Accept bare arguments as the values of ``options`` not given by name, in order; the last takes the rest."""
        self.positional_options = options

    def parse_known_args(self, args=None, namespace=None):
        notes: list[str] = []
        if args is not None:
            args, notes = self.modernize(list(args))
        namespace, extras = super().parse_known_args(args, namespace)
        setattr(namespace, _DEPRECATED, getattr(namespace, _DEPRECATED, []) + notes)
        return namespace, extras

    def modernize(self, args: Sequence[str]) -> tuple[list[str], list[str]]:
        """``args`` in the new spelling (what a recorded command line shows), and a note for each old spelling met."""
        args = list(args)
        out: list[str] = []
        bare: list[str] = []
        given: set[str] = set()
        notes: list[str] = []
        i = 0
        while i < len(args):
            name, eq, value = args[i].partition("=")
            if name in self.aliases:
                notes.append(f"{name} is deprecated; use {self.aliases[name]}")
                name = self.aliases[name]
            action = self._option_string_actions.get(name) if name.startswith("-") else None
            if args[i] == "--" or (not self.positional_options and action is None):
                out.append(args[i])
                i += 1
                continue
            if action is None:
                (out if args[i].startswith("-") else bare).append(args[i])
                i += 1
                continue
            given.add(name)
            n = 0 if eq else _values_after(action.nargs, args[i + 1 :])
            out += [name + eq + value, *args[i + 1 : i + 1 + n]]
            i += 1 + n
        targets = [o for o in self.positional_options if o not in given]
        if bare and targets:
            notes.append(f"bare file arguments are deprecated; use {' '.join(targets[: len(bare)])}")
            for k, option in enumerate(targets):
                values = bare[k:] if k == len(targets) - 1 else bare[k : k + 1]
                if values:
                    out += [option, *values]
        else:
            out += bare
        return out, notes


def _values_after(nargs: int | str | None, rest: list[str]) -> int:
    """How many of ``rest`` an option with ``nargs`` takes as its values."""
    leading = next((k for k, a in enumerate(rest) if a.startswith("-")), len(rest))
    if nargs is None:
        return min(1, len(rest))
    if nargs == "?":
        return min(1, leading)
    if nargs in ("*", "+"):
        return leading
    return int(nargs) if isinstance(nargs, int) else 0


def add_input(
    parser: Parser, help: str, *, required: bool = True, many: bool = False, aliases: Sequence[str] = ()
) -> None:
    """``--input FILE`` (``FILE [FILE ...]`` when ``many``), the file the command reads."""
    parser.add_argument("--input", required=required, nargs="+" if many else None, metavar="FILE", help=help)
    for old in aliases:
        parser.add_alias(old, "--input")


def add_output(
    parser: Parser, help: str, *, required: bool = True, default: str | None = None, aliases: Sequence[str] = ()
) -> None:
    """``--output FILE``, the one file the command writes."""
    parser.add_argument("--output", required=required, default=default, metavar="FILE", help=help)
    for old in aliases:
        parser.add_alias(old, "--output")


def add_output_dir(
    parser: Parser, help: str, *, required: bool = True, default: str | None = None, aliases: Sequence[str] = ()
) -> None:
    """``--output-dir DIR``, the folder the command writes its files into."""
    parser.add_argument("--output-dir", required=required, default=default, metavar="DIR", help=help)
    for old in aliases:
        parser.add_alias(old, "--output-dir")


def add_model(parser: Parser, help: str = "trained model directory", *, required: bool = True) -> None:
    """``--model DIR``, a model directory as ``training.train`` writes it."""
    parser.add_argument("--model", required=required, default=None, metavar="DIR", help=help)


def add_common(parser: Parser, *, writes: bool = True) -> None:
    """``--force`` (for a command that writes) and ``--quiet``."""
    if writes:
        parser.add_argument("--force", action="store_true", help="overwrite existing outputs")
    parser.add_argument("--quiet", action="store_true", help="print warnings and errors only (no progress)")


def parse(parser: Parser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``, set up logging by ``--quiet``, then warn about each deprecated spelling used."""
    args = parser.parse_args(list(argv))
    setup_logging(getattr(args, "quiet", False))
    for note in vars(args).pop(_DEPRECATED, []):
        log.warning(note)
    return args


def at_least(least: int) -> Callable[[str], int]:
    """An argparse type for a count (``--batch-size``, ``--threads``): below ``least`` is a usage error (status 2),
    where it would otherwise run on and give an empty or endless result."""

    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value

    count.__name__ = f"at_least_{least}"
    return count


positive_int = at_least(1)


def _same_file(a: Path, b: str | os.PathLike[str]) -> bool:
    """One file by device and inode: another spelling, a hard link or a symlink is still the same file."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): nothing to overwrite
        return False


def _refuse_inputs(path: Path, inputs: Inputs) -> None:
    for given in inputs:
        if given is not None and _same_file(path, given):
            same = "" if Path(given) == path else f" (the same file as {given})"
            raise OutputIsInputError(
                f"{path} is an input of this command{same}; write the output to another file "
                "(not even --force replaces an input)"
            )


def check_output(path: str | Path, force: bool, inputs: Inputs = ()) -> None:
    """Refuse, before any work starts, an output file that cannot or must not be written.

    Always: one of ``inputs`` (by inode: also a hard link or a symlink to it), a directory or another file that
    is not a regular one (an atomic write would replace a device or a pipe), a folder that does not exist.
    Unless ``force``: a file that exists.
    """
    path = Path(path)
    _refuse_inputs(path, inputs)
    if path.is_dir():
        raise OutputExistsError(f"{path} is a directory; give the output a file name")
    if path.exists() and not path.is_file():
        raise OutputExistsError(f"{path} is not a regular file (a device or a pipe); give the output a file name")
    folder = path.parent
    if not folder.exists():
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: {_existing_ancestor(folder)} is not a directory")
    if path.exists() and not force:
        raise OutputExistsError(f"{path} exists; refusing to overwrite it (pass --force to replace it)")


def _existing_ancestor(path: Path) -> Path:
    """The first of ``path`` and its parents that exists."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_output_dir(path: str | Path, force: bool, inputs: Inputs = (), writes: Sequence[str] | None = None) -> None:
    """Refuse an output directory that already holds files (unless ``force``), that is a file or lies under
    one, or that would overwrite one of ``inputs`` (always).

    ``writes`` names the files the command writes into it; None means the folder is the command's
    own (a model directory): then no input may lie anywhere inside it. An empty directory is
    fine: it is often made ahead (``mktemp -d``).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputExistsError(f"{path} is a file, not a directory")
    if not _existing_ancestor(path).is_dir():
        raise UsageError(f"cannot make {path}: {_existing_ancestor(path)} is not a directory")
    if writes is not None:
        for name in writes:
            _refuse_inputs(path / name, inputs)
    elif path.is_dir():
        inside = [i for i in inputs if i is not None and Path(i).resolve().is_relative_to(path.resolve())]
        if inside:
            raise OutputIsInputError(
                f"{path} holds {inside[0]}, which is an input of this command; write the output to another folder "
                "(not even --force replaces an input)"
            )
    if path.is_dir() and any(path.iterdir()) and not force:
        raise OutputExistsError(f"{path} is not empty; refusing to overwrite it (pass --force to write into it)")


class _Stderr(logging.StreamHandler):
    """Writes to ``sys.stderr`` as it is at each message, not as it was when set up (tests replace it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _Format(logging.Formatter):
    """Info as it is; ``warning: ...`` and ``error: ...`` above it, like the commands' own error line."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        return message if record.levelno < logging.WARNING else f"{record.levelname.lower()}: {message}"


def setup_logging(quiet: bool = False) -> None:
    """Messages of the three packages to stderr: info and above, or warnings and above when ``quiet``.

    Only the project's loggers are set (third-party libraries keep theirs); calling it again changes the level only.
    """
    for name in PACKAGES:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING if quiet else logging.INFO)
        if not any(isinstance(h, _Stderr) for h in logger.handlers):
            handler = _Stderr()
            handler.setFormatter(_Format())
            logger.addHandler(handler)


def run(main: Callable[[Sequence[str]], int]) -> Callable[[Sequence[str]], int]:
    """Wrap a command's ``main(argv)``: a project error or an OSError ends it with one line ``error: ...``, status 1;
    Ctrl-C with one line, status 130, keeping what was written (see :func:`resumable`).

    The user sees what to do, not a traceback; a bug (any other exception) still shows its traceback.
    stdout is flushed here, so that a full disk or a closed pipe behind it is such an error too.
    """

    @functools.wraps(main)
    def command(argv: Sequence[str]) -> int:
        try:
            try:
                return main(argv)
            finally:
                _flush_stdout()
        except BrokenPipeError:  # the reader went away (``| head``): stop without a word
            return 1
        except KeyboardInterrupt as exc:
            print(exc if isinstance(exc, Interrupted) else "interrupted", file=sys.stderr)
            return 130
        except (DealExtractionError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1

    return command


def _flush_stdout() -> None:
    """Flush stdout now; when that fails, point it at /dev/null, so that the interpreter's own flush at exit
    (which would print ``Exception ignored`` and exit 120) has nothing left to fail on."""
    try:
        sys.stdout.flush()
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise


@contextmanager
def resumable() -> Iterator[None]:
    """Around the work of a command that has ``--resume``: Ctrl-C there tells the user to rerun with it."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted("interrupted; rerun with --resume") from None


_SAFE = re.compile(r"[\w@%+=:,./-]+")


def command_line(prog: str, argv: Sequence[str]) -> str:
    """``prog`` and ``argv`` as one shell line, quoted where needed: how a recorded result was made."""

    def quote(arg: str) -> str:
        if _SAFE.fullmatch(arg):
            return arg
        return f'"{arg}"' if not re.search(r'["$`\\!]', arg) else shlex.quote(arg)

    return " ".join([prog, *map(quote, argv)])
