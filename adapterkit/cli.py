"""The ``adapterkit`` command line: the app, its commands (from ``commands/``), and ``main``.

The commands themselves live in ``adapterkit.commands``, one module per command or small group;
this module only registers them, and ``main`` turns every outcome into one line and an exit code.
Nothing but ``adapterkit.__main__`` (and the console script) imports it: a recipe runs its steps
through ``main`` because the ``run`` command is handed ``main`` here, not because it imports it.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from .commands import (
    adapters,
    audit,
    compose,
    corpus,
    cv,
    eval_mlm,
    finetune,
    hub,
    predict,
    pretrain,
    recipes,
    report,
    vocab,
)
from .commands.hints import option_hint
from .errors import AdapterkitError
from .invocation import elapsed as _elapsed
from .invocation import enter, leave

# peft imports bitsandbytes whenever it is installed, and its CPU backend then warns about an
# optional kernel package on import: not the user's concern.
logging.getLogger("bitsandbytes").setLevel(logging.ERROR)

# Typer >= 0.2x vendors its own click: take its usage-error class from a public exception
# rather than from the separate `click` package, whose classes it no longer raises.
UsageError = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError")
_CLICK_ERRORS = sys.modules[UsageError.__module__]
NoSuchOption = _CLICK_ERRORS.NoSuchOption
NoArgsIsHelpError = _CLICK_ERRORS.NoArgsIsHelpError

# -h works like --help everywhere (sub-commands inherit the context settings).
HELP = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    name="adapterkit",
    help="Adapt multilingual BERT encoders to medical languages and domains.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=HELP,
)
adapters_app = typer.Typer(
    help="List, inspect, verify and remove adapters in the registry.", no_args_is_help=True, context_settings=HELP
)
app.add_typer(adapters_app, name="adapters")
recipes_app = typer.Typer(
    help="The shipped recipes: list them, copy one to start from.", no_args_is_help=True, context_settings=HELP
)
app.add_typer(recipes_app, name="recipes")
vocab_app = typer.Typer(help="Domain vocabulary extension (study B).", no_args_is_help=True, context_settings=HELP)
app.add_typer(vocab_app, name="vocab")
corpus_app = typer.Typer(help="Corpora: clean them as pretrain does, to look at or keep.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _print_version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"adapterkit {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    ctx: typer.Context,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Adapt multilingual BERT encoders to medical languages and domains."""
    # Release the adapters this command held against removal when it ends (see locks.py); a recipe
    # step runs inside `adapterkit run`: release only its own holds. (Typer keeps one app callback.)
    from .locks import holds_mark, release_holds

    mark = holds_mark()
    ctx.call_on_close(lambda: release_holds(mark))


def _accepts_force(argv: list[str]) -> bool:
    """Whether the command of ``argv`` (``pretrain``, ``vocab extend`` ...) has a ``--force`` option."""
    command = build_command()
    for word in argv[:2]:
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command = sub
    return any("--force" in getattr(param, "opts", ()) for param in command.params)


def _run_step(argv: list[str]) -> int:
    """A recipe step runs as if typed: the same parsing, one-line errors and summary line (main, nested)."""
    return main(argv)


# The order of registration is the order of `adapterkit --help`.
app.command()(pretrain.pretrain)
app.command()(compose.compose)
app.command("eval-mlm")(eval_mlm.eval_mlm)
app.command()(finetune.finetune)
app.command()(cv.cv)
app.command()(cv.compare)
app.command()(predict.predict)
app.command()(predict.score)
app.command()(report.report)
app.command()(report.analyse)
app.command("run")(recipes.run_command(_run_step, _accepts_force))
recipes_app.command("list")(recipes.recipes_list)
recipes_app.command("cp")(recipes.recipes_cp)
vocab_app.command("extend")(vocab.vocab_extend)
vocab_app.command("build")(vocab.vocab_build)
corpus_app.command("clean")(corpus.corpus_clean)
app.command()(hub.push)
app.command()(audit.audit)
app.command()(hub.pull)
adapters_app.command("list")(adapters.adapters_list)
adapters_app.command("show")(adapters.adapters_show)
adapters_app.command("verify")(adapters.adapters_verify)
adapters_app.command("rm")(adapters.adapters_rm)


# What --help shows for a value: the words click users know, never a Python type (`<list[str]>`).
_VALUE_NAMES = {int: "INTEGER", float: "FLOAT", str: "TEXT", Path: "PATH"}


def build_command():
    """The click command of ``app`` with values named for a reader: ``--epochs FLOAT``, ``RECIPE``.

    Typer names an option's value by its annotation (``<float>``, ``<list[str]>``) and wraps a
    required argument in braces (``{recipe}``); a metavar given in the declaration always wins.
    """
    command = typer.main.get_command(app)
    for sub in _walk(command):
        for param in sub.params:
            if isinstance(param, typer.core.TyperArgument):
                _readable_argument(param)
            elif param.metavar is None and not param.is_flag and not param.type_descriptor.is_choice:
                annotation = param.type_descriptor.annotation
                element = typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else annotation
                param.metavar = _VALUE_NAMES.get(element, "VALUE")
    return command


def _walk(command) -> Iterator:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _walk(sub)


def _readable_argument(param) -> None:
    """``RECIPE`` and ``[KEY=VALUE]...`` in the usage line and the argument list, without a type."""
    name = param.metavar or param.name.upper()
    shown = name if name.endswith("...") or param.nargs == 1 else f"{name}..."
    usage = shown if param.required or shown.startswith("[") else f"[{shown}]"
    param._usage_display_name = lambda: usage
    param._rich_display_name = lambda: shown
    param.display_type_rich = lambda ctx: None


_depth = 0  # main() runs nested for the steps of `adapterkit run`


def main(argv: list[str] | None = None) -> int:
    """Console entry point: every outcome is one line on stderr and an exit code, never a traceback.

    Bad input (AdapterkitError, usage errors): exit 2. An operating-system error (full disk,
    unwritable or missing path): one line naming the path, exit 2. Ctrl-C: one line saying what
    continues the work, exit 130; SIGTERM the same, exit 143 (in training, after a checkpoint of
    the step under way). Anything else is a bug: one line pointing to a log file under the cache
    holding the traceback (ADAPTERKIT_DEBUG=1 prints it instead), exit 1. A command that
    worked ends with one summary line: elapsed time, headline figures, where the results are.
    """
    global _depth
    import time

    command = build_command()
    started = time.perf_counter()
    args = list(argv) if argv is not None else sys.argv[1:]
    enter(args)
    _depth += 1
    if _depth == 1:
        from .safety import handle_termination

        handle_termination()  # SIGTERM (a cluster stopping the job) is handled as ctrl-C, exit 143
    try:
        # click returns the code of a typer.Exit raised inside (standalone_mode=False): e.g. a declined rm
        code = command.main(args=args, prog_name="adapterkit", standalone_mode=False)
        if code == 130:  # typer turns KeyboardInterrupt into Exit(130) and, not standalone, returns the code
            raise KeyboardInterrupt
        if isinstance(code, int) and not isinstance(code, bool) and code != 0:
            return code
    except AdapterkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except NoArgsIsHelpError as error:  # `adapterkit`, `adapterkit adapters`: asking for help is not an error
        print(error.format_message())
        return 0
    except UsageError as error:
        hint = f" (see: {error.ctx.command_path} --help)" if error.ctx else ""
        # typer checks values with pydantic, whose "Value error, " prefix tells the user nothing
        message = error.format_message().replace(": Value error, ", ": ")
        if isinstance(error, NoSuchOption) and error.ctx is not None:
            flags = [flag for param in error.ctx.command.params for flag in param.opts]
            known = option_hint(error.option_name, flags)
            if known:  # the meaning, not click's string-distance guess
                message = f"No such option: {error.option_name}; {known}"
        print(f"error: {message}{hint}", file=sys.stderr)
        return 2
    except typer.Exit as exit_:
        return exit_.exit_code
    except SystemExit as exit_:  # shell completion answers and exits inside click
        return exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
    except (typer.Abort, KeyboardInterrupt):
        if _depth > 1:
            raise KeyboardInterrupt from None  # a recipe step: the recipe's main reports it, once
        from .safety import take_interrupt_hint, take_termination

        hint = take_interrupt_hint()
        terminated = take_termination()
        print(("terminated" if terminated else "interrupted") + (f"; {hint}" if hint else ""), file=sys.stderr)
        return 143 if terminated else 130
    except OSError as error:
        print(f"error: {_os_error_line(error)}", file=sys.stderr)
        return 2
    except Exception as error:
        cause = _os_error_in(error)
        if cause is not None:  # a library wrapped an operating-system error: still the user's to fix
            print(f"error: {_os_error_line(cause)}", file=sys.stderr)
            return 2
        # a bug: one line here, the traceback in a log file
        print(f"internal error: {_internal_error_line(error)}", file=sys.stderr)
        return 1
    finally:
        _depth -= 1
        summary = leave()
    # The last line of every working command: how long, the headline figures, where the results are
    # (under torchrun, once).
    if summary and os.environ.get("RANK", "0") == "0":
        print(
            f"{' '.join(args[:1]) or 'adapterkit'} done in {_elapsed(time.perf_counter() - started)}: "
            f"{summary['figures']}; results: {summary['where']}",
            flush=True,
        )
    return 0


_OS_ADVICE = {
    errno.ENOSPC: "free some space or choose another place",
    errno.EFBIG: "the file is larger than this system allows; choose another place",
    errno.EACCES: "not allowed here; choose a writable place",
    errno.EPERM: "not allowed here; choose a writable place",
    errno.EROFS: "the file system is read-only; choose another place",
    errno.ELOOP: "a symbolic link loop; fix the link",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder is where a file goes",
    errno.EEXIST: "something is already there; choose another name",
    errno.ENOENT: "no such file or folder",
}


def _os_error_line(error: OSError) -> str:
    """``PATH: reason (advice)`` for an operating-system error (the path is what the user can act on)."""
    reason = error.strerror or str(error) or type(error).__name__
    advice = _OS_ADVICE.get(error.errno or 0)
    reason = f"{reason} ({advice})" if advice and advice.lower() != reason.lower() else reason
    if error.filename is not None:
        where = str(error.filename) + (f" -> {error.filename2}" if error.filename2 is not None else "")
        return f"{where}: {reason}"
    return reason


def _os_error_in(error: BaseException) -> OSError | None:
    """The OSError a library's exception was raised from, if any."""
    seen = error.__cause__ or error.__context__
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _internal_error_line(error: Exception) -> str:
    """Write the traceback to a log file under the cache (or print it with ADAPTERKIT_DEBUG=1)."""
    import traceback
    from datetime import datetime

    from .paths import cache_dir

    summary = (str(error).splitlines() or [""])[0][:300]
    summary = f"{type(error).__name__}: {summary}" if summary else type(error).__name__
    details = traceback.format_exc()
    if os.environ.get("ADAPTERKIT_DEBUG", "") not in ("", "0"):
        print(details, file=sys.stderr, end="")
        return f"{summary} (traceback above)"
    try:
        logs = cache_dir() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = logs / f"error-{datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        command = " ".join(["adapterkit", *sys.argv[1:]])
        log.write_text(f"{command}\n\n{details}", encoding="utf-8")
    except OSError:
        print(details, file=sys.stderr, end="")
        return f"{summary} (traceback above: the log folder could not be written)"
    return f"{summary}; details in {log} (please report it; ADAPTERKIT_DEBUG=1 prints the traceback)"


if __name__ == "__main__":
    sys.exit(main())
