"""Bounded JSON and bounded reads (shared.parsing.inputs): hostile input is one line of InvalidInput, never
a traceback, never a whole huge file in memory; and text for a terminal never carries control
characters."""

from __future__ import annotations

import json
import os
import sys
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.parsing.inputs import MAX_DEPTH, MAX_NUMBER_CHARS, load_json, read_bounded, terminal_text

LIMIT = 1024 * 1024


def refusal(data, **kwargs) -> str:
    with pytest.raises(InvalidInput) as caught:
        load_json(data, what="input", **{"max_bytes": LIMIT, **kwargs})
    message = str(caught.value)
    assert "\n" not in message and message.startswith("input")
    return message


# --- size ------------------------------------------------------------------------------------------


def test_bytes_over_the_limit_are_refused_before_decoding():
    assert "input is 11 bytes, over the limit of 10" == refusal(b"\xff" * 11, max_bytes=10)


def test_a_str_is_measured_by_its_utf8_size():
    assert "input is 6 bytes, over the limit of 5" == refusal('"\u00e9\u00e9"', max_bytes=5)


def test_input_at_the_limit_is_parsed():
    assert [1] == load_json(b"[1]", what="input", max_bytes=3)


# --- nesting ---------------------------------------------------------------------------------------


def test_nesting_at_the_limit_is_accepted_and_one_deeper_is_refused():
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, what="input", max_bytes=LIMIT)

    assert f"input nests deeper than {MAX_DEPTH} levels (at offset {MAX_DEPTH})" == refusal(
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_a_million_brackets_are_refused_without_reaching_the_parser():
    assert "nests deeper than 64 levels" in refusal(b"[" * 500_000 + b"]" * 500_000)


def test_objects_and_arrays_count_alike():
    assert "nests deeper" in refusal('{"a":' * 40 + "[" * 30 + "1" + "]" * 30 + "}" * 40)


def test_brackets_and_escaped_quotes_inside_strings_do_not_count():
    text = json.dumps({"a": "[" * 1000, "b": '\\"[{' * 100, "c": [{"d": "]]]}}}"}]})

    assert json.loads(text) == load_json(text, what="input", max_bytes=LIMIT)


def test_the_depth_limit_is_configurable():
    assert "nests deeper than 2 levels" in refusal("[[[1]]]", max_depth=2)


# --- numbers ---------------------------------------------------------------------------------------


def test_an_integer_past_pythons_digit_limit_is_refused_before_conversion():
    digits = sys.int_info.default_max_str_digits + 1

    assert f"input has a number of {digits} characters at offset 6; the limit is {MAX_NUMBER_CHARS}" == refusal(
        '{"a": ' + "7" * digits + "}")


@pytest.mark.parametrize("literal", ["9" * MAX_NUMBER_CHARS, "-" + "9" * (MAX_NUMBER_CHARS - 1),
                                     "1." + "5" * (MAX_NUMBER_CHARS - 6) + "e+10", "18446744073709551616"])
def test_numbers_up_to_the_limit_are_parsed(literal):
    assert [json.loads(literal)] == load_json(f"[{literal}]", what="input", max_bytes=LIMIT)


@pytest.mark.parametrize("literal", ["9" * (MAX_NUMBER_CHARS + 1), "-" + "9" * MAX_NUMBER_CHARS,
                                     "0." + "1" * MAX_NUMBER_CHARS, "1e" + "9" * MAX_NUMBER_CHARS])
def test_longer_numbers_are_refused(literal):
    assert "has a number of" in refusal(f"[{literal}]")


def test_digits_inside_strings_are_not_numbers():
    assert ["9" * 10_000] == load_json(json.dumps(["9" * 10_000]), what="input", max_bytes=LIMIT)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_python_only_constants_are_refused(constant):
    assert f"input is not valid JSON: {constant} is not a JSON value" == refusal(f'{{"a": [{constant}]}}')


@pytest.mark.parametrize("literal", ["1e999", "-1e999", "1.8e308", "-" + "9" * 40 + "e300"])
def test_numbers_that_overflow_to_infinity_are_refused(literal):
    assert f"input is not valid JSON: number {literal} overflows to infinity" == refusal(f'{{"claims": {{"x": {literal}}}}}')


@pytest.mark.parametrize("literal", ["1.7976931348623157e308", "1e-999", "-0.0", "5e-324"])
def test_the_largest_float_and_numbers_that_underflow_are_parsed(literal):
    assert [float(literal)] == load_json(f"[{literal}]", what="input", max_bytes=LIMIT)


# --- duplicate keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    pytest.param('{"privateEndpointIds": [], "dryRun": true, "release": true, "dryRun": false}', id="top-level"),
    pytest.param('[{"data": {"claims": {}, "dryRun": 1, "dryRun": 1}}]', id="nested-same-value"),
    pytest.param('{"dryRun": true, "dry\\u0052un": false}', id="spelled-with-an-escape"),
])
def test_a_key_repeated_in_one_object_is_refused_naming_it(text):
    assert 'input is not valid JSON: duplicate key "dryRun"' == refusal(text)


def test_the_same_key_in_different_objects_is_not_a_duplicate():
    assert {"a": {"id": 1}, "b": {"id": 2}, "id": 3} == load_json('{"a": {"id": 1}, "b": {"id": 2}, "id": 3}',
                                                                   what="input", max_bytes=LIMIT)


def test_keys_that_differ_only_in_case_are_not_duplicates():
    assert {"dryRun": True, "dryrun": False} == load_json('{"dryRun": true, "dryrun": false}', what="input",
                                                          max_bytes=LIMIT)


def test_a_duplicate_key_is_shown_without_its_control_characters_and_shortened():
    key = "\x1b[2J\r" + "k" * 1000

    message = refusal(json.dumps({"a": 1}).replace("}", ", " + json.dumps(key) + ": 1, " + json.dumps(key) + ": 2}"))

    assert message.startswith('input is not valid JSON: duplicate key "\\x1b[2J\\x0dkkk')
    assert "…" in message and len(message) < 400 and not any(ord(c) < 0x20 for c in message)


# --- encoding and syntax ---------------------------------------------------------------------------


def test_bad_utf8_names_the_offset():
    assert "input is not UTF-8: invalid byte at offset 2" == refusal(b'["\xff"]')


def test_a_bom_is_tolerated():
    assert {"a": 1} == load_json(b'\xef\xbb\xbf{"a": 1}', what="input", max_bytes=LIMIT)


def test_malformed_json_names_line_and_column():
    assert "input is not valid JSON: Expecting value (line 2, column 1)" == refusal(b"[1,\n]")


def test_an_unterminated_string_full_of_brackets_is_malformed_not_deep():
    assert "not valid JSON" in refusal('["' + "[" * 10)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(alphabet='[]{}"\\,:0123456789-.eE aN', max_size=300).map(str.encode))
def test_anything_is_parsed_or_refused_with_one_line(data):
    try:
        load_json(data, what="input", max_bytes=LIMIT, max_depth=8)
    except InvalidInput as exc:
        assert "\n" not in str(exc)


# --- files -----------------------------------------------------------------------------------------


def test_a_sparse_file_over_the_limit_is_refused_from_its_size_without_reading_it(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # 300 MB on paper, no block written
        handle.seek(300 * 1024 * 1024 - 1)
        handle.write(b"]")

    with pytest.raises(InvalidInput) as caught:
        read_bounded(path, what="huge.json", max_bytes=LIMIT)
    assert f"huge.json is 314572800 bytes, over the limit of {LIMIT}" == str(caught.value)


def test_a_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "ok.json"
    path.write_bytes(b"[" + b" " * 8 + b"]")

    assert b"[" + b" " * 8 + b"]" == read_bounded(path, what="ok.json", max_bytes=10)


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p: None, "x: no such file"),
    (lambda p: p.mkdir(), "x: "),
], ids=["missing", "directory"])
def test_what_is_not_a_readable_file_is_one_line(tmp_path, make, expected):
    path = tmp_path / "x"
    make(path)

    with pytest.raises(InvalidInput) as caught:
        read_bounded(path, what="x", max_bytes=LIMIT)
    assert str(caught.value).startswith(expected) and "\n" not in str(caught.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_at_once_instead_of_blocking(tmp_path):
    path = tmp_path / "fifo"
    os.mkfifo(path)
    outcome: list[str] = []

    def read() -> None:
        try:
            read_bounded(path, what="fifo", max_bytes=LIMIT)
        except InvalidInput as exc:
            outcome.append(str(exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert ["fifo: not a regular file"] == outcome


def test_a_device_is_refused(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    with pytest.raises(InvalidInput, match="not a regular file"):
        read_bounded("/dev/zero", what="zero", max_bytes=LIMIT)


# --- text for a terminal ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[2J\x1b[Hfake line", "\\x1b[2J\\x1b[Hfake line"),
    ("a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"),
    ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
    ("bidi\u202eevil\u2066", "bidi\\u202eevil\\u2066"),
    ("line\u2028sep", "line\\u2028sep"),
])
def test_control_characters_are_escaped(raw, shown):
    assert shown == terminal_text(raw)


def test_ordinary_ids_are_unchanged():
    pe = ("/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/" + "r" * 90 +
          "/providers/Microsoft.Network/privateEndpoints/" + "p" * 80)

    assert pe == terminal_text(pe)


def test_long_text_is_cut_in_the_middle_with_an_ellipsis():
    text = terminal_text("A" * 1000 + "Z" * 1000, limit=30)

    assert (30, "A" * 19 + "…" + "Z" * 10) == (len(text), text)


def test_escaping_is_idempotent_and_never_leaves_a_control_character():
    once = terminal_text("".join(chr(c) for c in range(0x00, 0xA0)), limit=None)

    assert once == terminal_text(once, limit=None)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in once)
