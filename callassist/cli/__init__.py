"""The `callassist` command. Each module in this package that defines `register(subparsers)`
adds one subcommand; `callassist` with no subcommand is `callassist run`."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import NoReturn

from callassist import __version__
from callassist.cli._terminal import prepare_streams
from callassist.errors import CallAssistError


class _Parser(argparse.ArgumentParser):
    """Usage mistakes read like every other error: one line, exit status 2 (`--help` still
    shows the usage)."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("callassist").strip()
        where = f"{command}: " if command else ""
        self.exit(2, f"callassist: error: {where}{message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="callassist",
        description="Live, offline coaching for phone agents: ASAP checklist, warnings, tone.",
    )
    parser.add_argument("--version", action="version", version=f"callassist {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    saved = prepare_streams()
    try:
        return int(args.func(args) or 0)
    except CallAssistError as e:
        print(f"callassist: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`calls list | head`): stop quietly, as `head` itself would.
        # Python would report the pipe again when it flushes stdout at exit.
        _silence_stdout()
        return 141
    finally:
        sys.stdout, sys.stderr = saved


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (OSError, AttributeError, ValueError):
        pass
