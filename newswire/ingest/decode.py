"""Turn an input file's bytes into text, or say why it cannot be read.

Inputs come from anywhere: gzipped or not, UTF-8 or a legacy Western encoding,
and now and then a binary file dropped in the wrong folder. Each failure maps to
a rejection reason code that users see in ``raw.rejections``.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass

#: Magic numbers of binary formats people drop into inboxes by mistake.
_BINARY_MAGIC: dict[bytes, str] = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive (or Office document)",
    b"\x7fELF": "ELF executable",
    b"\xd0\xcf\x11\xe0": "legacy Office document",
    b"BZh": "bzip2 archive",
    b"\xfd7zXZ": "xz archive",
    b"7z\xbc\xaf": "7-Zip archive",
    b"RIFF": "RIFF media file",
    b"SQLite format 3": "SQLite database",
}

_GZIP_MAGIC = b"\x1f\x8b"


class DecodeError(Exception):
    """An input that cannot become text; carries a reason code for the rejection row."""

    def __init__(self, reason_code: str, reason: str) -> None:
        super().__init__(reason)
        self.reason_code = reason_code
        self.reason = reason


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    was_gzipped: bool


def gunzip_if_needed(data: bytes, *, max_bytes: int) -> tuple[bytes, bool]:
    """Decompress gzip data (by magic number, not by name), bounded to `max_bytes`."""
    if not data.startswith(_GZIP_MAGIC):
        return data, False
    try:
        # Stream so a gzip bomb cannot exhaust memory: stop past the size limit.
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = decomp.decompress(data, max_bytes + 1)
        if len(out) > max_bytes:
            raise DecodeError("too_large", f"gzip content exceeds the {max_bytes}-byte limit")
        if not decomp.eof:
            raise DecodeError("corrupt_gzip", "gzip stream is truncated")
        return out, True
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise DecodeError("corrupt_gzip", f"gzip stream cannot be decompressed: {exc}") from exc


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None when it looks like text."""
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with BOM carries NUL bytes legitimately
    if b"\x00" in head:
        return "data with NUL bytes"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if head and controls / len(head) > 0.05:
        return "data with many control characters"
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Why cp1252 as the fallback rather than a statistical detector: news text that is
    not UTF-8 is nearly always Latin-1 or its Windows superset, and detectors guess
    unstable code pages on short texts. cp1252 decodes every Latin-1 letter the same
    way and also gets curly quotes right; bytes it leaves undefined fall back to Latin-1.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def read_input_bytes(data: bytes, *, max_bytes: int) -> DecodedText:
    """Validate and decode one input's bytes, raising DecodeError with a reason."""
    if not data.strip():
        raise DecodeError("empty_file", "the file is empty or holds only whitespace")
    if len(data) > max_bytes:
        raise DecodeError("too_large", f"{len(data)} bytes exceeds the {max_bytes}-byte limit")
    raw, gz = gunzip_if_needed(data, max_bytes=max_bytes)
    if not raw.strip():
        raise DecodeError("empty_file", "the gzip file decompresses to nothing")
    kind = sniff_binary(raw)
    if kind:
        raise DecodeError("binary_file", f"not text: looks like {kind}")
    text, encoding = decode_text(raw)
    return DecodedText(text=text.replace("\r\n", "\n").replace("\r", "\n"), encoding=encoding, was_gzipped=gz)
