"""How the command line is read: each command's help, its closed choices, and click's
usage errors in a clerk's words when the command line speaks Chinese."""

from __future__ import annotations

import enum
import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup

from checklist.errors import ChecklistError
from checklist.i18n import Lang


class Group(TyperGroup):
    """The app: an unknown command is answered in Chinese when the command line speaks it."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:
            raise _usage_in_chinese(error, args, command=args[0] if args else None) from None


class Command(TyperCommand):
    """A command whose help names each argument by its metavar alone: UNIT, not UNIT <str>.

    An option or argument with a closed set of values (an Enum) answers a value
    outside it with the values it takes and the one most likely meant, exit 2; an
    unknown option, a missing value or argument, an extra argument are answered in
    Chinese when the command speaks it.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except Exception as error:
            raise _usage_in_chinese(error, [ctx.info_name or "", *args]) from None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        callback = inspect.unwrap(self.callback) if self.callback else None
        hints = typing.get_type_hints(callback, include_extras=True) if callback else {}
        for param in self.params:
            if isinstance(param, TyperArgument) and param.metavar:
                # typer 0.29 adds the Python type (<list[Path]>) after an argument's name;
                # 0.28 has no such method, so it is set by name.
                setattr(param, "display_type_rich", _no_type)  # noqa: B010
            choices = _enum_in(hints.get(param.name or ""))
            if choices is not None:
                param.process_value = _choosing(  # type: ignore[method-assign,assignment]
                    _param_name(param), choices, param.process_value
                )


def _usage_in_chinese(
    error: Exception, argv: Sequence[str], *, command: str | None = None
) -> Exception:
    """click's own usage error, as a ChecklistError in Chinese when the command speaks it
    and it is a common one; otherwise the error itself (click prints it, in English).

    click's classes are known by name: older typer uses click, newer typer a copy of it.
    """
    from checklist.errors import UsageError

    kinds = {kind.__name__ for kind in type(error).__mro__}
    if isinstance(error, ChecklistError) or "UsageError" not in kinds:
        return error
    from checklist.cli.app import error_lang  # the boundary's choice of language

    if error_lang(argv) is not Lang.ZH:
        return error
    said = _usage_zh(error, kinds, command)
    if said is None:
        return error
    ctx = getattr(error, "ctx", None)
    if ctx is not None:  # what click shows above its message, in Chinese
        usage = str(ctx.get_usage()).replace("Usage: ", "用法:", 1)
        said += f"\n{usage}\n运行 `{ctx.command_path} -h` 查看说明。"
    return UsageError(str(getattr(error, "message", error)), zh=said)


def _usage_zh(error: Any, kinds: set[str], command: str | None) -> str | None:
    """The common usage errors in a clerk's words; None for the rest."""
    from checklist.words import did_you_mean

    message = str(getattr(error, "message", ""))
    if command is not None and message.startswith("No such command"):
        group = error.ctx.command if error.ctx is not None else None
        names = list(getattr(group, "commands", ()))
        guess = did_you_mean(command, names)
        return f"没有 {command} 这个命令" + (f";是不是要写 {guess}?" if guess else "")
    if "NoSuchOption" in kinds:
        possible = list(getattr(error, "possibilities", None) or ())
        guess = f";是不是要写 {' 或 '.join(possible)}?" if possible else ""
        return f"没有 {error.option_name} 这个选项{guess}"
    if "MissingParameter" in kinds and getattr(error, "param", None) is not None:
        return f"少写了 {_param_name(error.param)}"
    if "BadOptionUsage" in kinds and "requires" in message:
        return f"{error.option_name} 后面要写一个值"
    if "BadOptionUsage" in kinds and "does not take a value" in message:
        return f"{error.option_name} 后面不用写值"
    if message.startswith("Got unexpected extra argument"):
        extra = message.partition(" (")[2].removesuffix(")")
        return (
            f"多写了 {extra};如果它和前面的文字是同一项(中间有空格),"
            '请用英文引号把整项括起来,例如 "经研究 调整"'
        )
    return None


def _no_type(ctx: object) -> None:
    return None


def _enum_in(hint: Any) -> type[enum.Enum] | None:
    """The Enum a parameter's annotation takes (through Annotated, | None and list), if any."""
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    for arg in typing.get_args(hint):
        found = _enum_in(arg)
        if found is not None:
            return found
    return None


def _param_name(param: Any) -> str:
    long = [opt for opt in param.opts if opt.startswith("--")]
    return long[0] if long else str(param.metavar or param.name).upper()


def _choosing(
    name: str, choices: type[enum.Enum], process: Callable[[Any, Any], Any]
) -> Callable[[Any, Any], Any]:
    """process_value, first refusing a value not among the choices, as --county does."""
    from checklist.errors import UsageError, guess_zh
    from checklist.words import did_you_mean, quote

    allowed = [str(choice.value) for choice in choices]

    def process_value(ctx: Any, value: Any) -> Any:
        for given in value if isinstance(value, list | tuple) else [value]:
            if isinstance(given, str) and given not in allowed:
                guess = did_you_mean(given, allowed)
                hint = f'; did you mean "{guess}"?' if guess else ""
                known = ", ".join(allowed)
                raise UsageError(
                    f"{name}: no such value {given!r}{hint} (known: {known})",
                    zh=f"{name} 填的 {quote(given)} 不在可选范围内{guess_zh(guess)}"
                    f"(可以填:{known})",
                )
        return process(ctx, value)

    return process_value
