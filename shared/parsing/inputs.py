"""JSON from outside, read and parsed with bounds: every failure is one line of `InvalidInput`.

Every door that parses JSON it did not produce (event deliveries and files, endpoint files for
`explain FILE`, replay bodies, `PEDNS_CUSTOM_ZONES` inline or in its file) goes through `load_json`, which checks, in this order and before `json` sees the text:

- the size (`max_bytes`), so nothing larger is decoded;
- UTF-8 (a leading BOM is tolerated);
- the nesting depth (`max_depth`), scanned without recursion and skipping string contents, so
  `[[[[…` can never reach the parser's recursion limit (RecursionError);
- the length of every number literal (`MAX_NUMBER_CHARS`), so an integer of thousands of digits
  never reaches `int()` (ValueError past `sys.int_info.default_max_str_digits`, and quadratic
  time below it).

The parser then refuses what Python's `json` accepts but JSON gives no one meaning to:

- `NaN`, `Infinity` and `-Infinity` (Python's extension, not JSON);
- a number that overflows a float (`1e999` would become infinity);
- a key repeated in one object, named in the refusal: `json` keeps the last one, so
  `{"dryRun": true, "release": true, "dryRun": false}` would release for real what a reader of the
  body's start takes for a dry run.

`read_bounded` reads a file without ever holding more than `max_bytes + 1` bytes of it.

Pure apart from `read_bounded`'s one file read; no Azure SDK.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from typing import Any

from ..errors import InvalidInput

__all__ = ["MAX_DEPTH", "MAX_NUMBER_CHARS", "finite_only", "load_json", "read_bounded", "terminal_text"]

#: Deepest nesting accepted: ARM and Event Grid bodies nest about 8 levels.
MAX_DEPTH = 64
#: Longest number literal accepted: no field pedns reads needs more than 20 digits (int64).
MAX_NUMBER_CHARS = 64

# A string (escapes included, so `"\"["` is one token), an opening or closing bracket, or a number
# literal longer than the limit (shorter ones are skipped by the regex engine, not by Python).
# The string alternative is the unrolled loop `"[^"\\]*(?:\\.[^"\\]*)*"`: linear, no backtracking.
# An unterminated string does not match; its quote is skipped and the parser refuses the text later.
_TOKENS = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"|[\[{]|[\]}]'
                     rf'|(?<![0-9.eE+\-])-?[0-9][0-9.eE+\-]{{{MAX_NUMBER_CHARS - 1},}}')


def _refuse_constant(name: str) -> Any:
    raise InvalidInput(f"{name} is not a JSON value")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):  # NaN cannot come from a literal; the constants are refused above
        raise InvalidInput(f"number {literal} overflows to infinity")  # a JSON number: safe to show
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise InvalidInput(f'duplicate key "{terminal_text(key)}"')
            seen.add(key)
    return value


def finite_only(value: Any, *, what: str) -> None:
    """`InvalidInput` if JSON someone else decoded holds NaN or ±infinity anywhere (without recursion).

    For the one door whose text pedns never sees: `azure.functions` decodes an Event Grid trigger's
    event, with the standard library's `json.loads` when orjson is not installed, so `1e999` arrives
    as infinity. A key repeated in one
    object is already gone by then (the last one kept): that check needs the text."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise InvalidInput(f"{what} holds a number that is not finite ({item}): refused")
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)


def load_json(data: bytes | bytearray | memoryview | str, *, what: str, max_bytes: int,
              max_depth: int = MAX_DEPTH) -> Any:
    """`data` decoded and parsed as JSON, or `InvalidInput` with one line starting with `what`.

    `str` input is measured by its UTF-8 size. Never raises anything else for any input.
    """
    if isinstance(data, str):
        size = len(data.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise InvalidInput(f"{what} is {size} bytes, over the limit of {max_bytes}")
        text = data.removeprefix("\ufeff")
    else:
        raw = bytes(data)
        if len(raw) > max_bytes:
            raise InvalidInput(f"{what} is {len(raw)} bytes, over the limit of {max_bytes}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{what} is not UTF-8: invalid byte at offset {exc.start}") from None
    _check_shape(text, what=what, max_depth=max_depth)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                          object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except InvalidInput as exc:
        raise InvalidInput(f"{what} is not valid JSON: {exc}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # not reachable after the scan; never a traceback
        raise InvalidInput(f"{what} is not usable JSON ({type(exc).__name__})") from None


def _check_shape(text: str, *, what: str, max_depth: int) -> None:
    """Refuse nesting deeper than `max_depth` and over-long numbers, without recursion."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            continue
        if first in "[{":
            depth += 1
            if depth > max_depth:
                raise InvalidInput(f"{what} nests deeper than {max_depth} levels (at offset {match.start()})")
        elif first in "]}":
            depth = max(depth - 1, 0)  # unbalanced text is the parser's to refuse
        elif len(token) > MAX_NUMBER_CHARS:
            raise InvalidInput(f"{what} has a number of {len(token)} characters at offset {match.start()}; "
                               f"the limit is {MAX_NUMBER_CHARS}")


def read_bounded(path: str | os.PathLike[str], *, what: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, or `InvalidInput` naming `what`.

    The size is checked before reading (no byte of a larger file is read), and the read itself is
    capped at `max_bytes + 1`, so a file that grows meanwhile is refused as well. Opened
    non-blocking, so a FIFO or a device is refused at once instead of waiting or streaming.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InvalidInput(f"{what}: no such file") from None
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot read: {exc.strerror or type(exc).__name__}") from None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InvalidInput(f"{what}: not a regular file")
            if info.st_size > max_bytes:
                raise InvalidInput(f"{what} is {info.st_size} bytes, over the limit of {max_bytes}")
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InvalidInput(f"{what}: cannot read: {exc.strerror or type(exc).__name__}") from None
    if len(data) > max_bytes:
        raise InvalidInput(f"{what} is over the limit of {max_bytes} bytes")
    return data


# -- text for a terminal ------------------------------------------------------------------------

# C0 controls, DEL, C1 controls, and the invisible characters that reorder or break a line on
# screen (bidirectional overrides and isolates, the line and paragraph separators).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: Longest piece of input shown as is: a private endpoint id is at most 283 characters.
MAX_SHOWN = 300


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_text(value: object, limit: int | None = MAX_SHOWN) -> str:
    """`value` as text that is safe to print: control characters escaped (`\\x1b`, `\\n`, …),
    and longer than `limit` characters cut in the middle with `…` (the start and the end of an id
    are the parts that tell ids apart)."""
    text = _UNSAFE.sub(_escape, value if isinstance(value, str) else str(value))
    if limit is not None and len(text) > limit:
        head = (limit - 1) * 2 // 3
        tail = limit - 1 - head
        text = text[:head] + "…" + (text[-tail:] if tail else "")
    return text
