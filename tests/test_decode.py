"""Bytes to text: gzip, encodings and the rejection reasons for unreadable input."""

from __future__ import annotations

import gzip

import pytest

from newswire.ingest.decode import DecodeError, read_input_bytes, sniff_binary

LIMIT = 1_000_000


def test_utf8_text_is_decoded_as_is() -> None:
    out = read_input_bytes("Café in Zürich – “quoted”".encode(), max_bytes=LIMIT)
    assert out.text == "Café in Zürich – “quoted”"
    assert out.encoding == "utf-8"
    assert not out.was_gzipped


def test_latin1_pound_and_accent_decode_correctly() -> None:
    out = read_input_bytes("Price £5 at the café".encode("latin-1"), max_bytes=LIMIT)
    assert out.text == "Price £5 at the café"
    assert out.encoding == "cp1252"


def test_gzip_is_detected_by_content_not_name() -> None:
    out = read_input_bytes(gzip.compress(b"Hello world, this is text."), max_bytes=LIMIT)
    assert out.text == "Hello world, this is text."
    assert out.was_gzipped


def test_crlf_is_normalised() -> None:
    assert read_input_bytes(b"a\r\nb\rc", max_bytes=LIMIT).text == "a\nb\nc"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"   \n\t ", "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary_file"),
        (b"%PDF-1.7 something", "binary_file"),
        (b"abc\x00def\x00", "binary_file"),
        (b"\x1f\x8b\x08\x00garbage-not-gzip", "corrupt_gzip"),
        (gzip.compress(b""), "empty_file"),
        (b"x" * 2000, "too_large"),
    ],
)
def test_unreadable_inputs_get_their_own_reason(data: bytes, code: str) -> None:
    with pytest.raises(DecodeError) as info:
        read_input_bytes(data, max_bytes=1000)
    assert info.value.reason_code == code
    assert info.value.reason


def test_gzip_bomb_is_stopped_at_the_limit() -> None:
    bomb = gzip.compress(b"a" * 5000)
    with pytest.raises(DecodeError) as info:
        read_input_bytes(bomb, max_bytes=1000)
    assert info.value.reason_code == "too_large"


def test_utf16_with_bom_is_text() -> None:
    data = "Hello from a UTF-16 file".encode("utf-16")
    assert sniff_binary(data) is None
    assert read_input_bytes(data, max_bytes=LIMIT).text == "Hello from a UTF-16 file"
