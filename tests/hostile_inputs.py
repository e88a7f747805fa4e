"""An inbox of hostile and broken inputs, built from scratch (nothing is checked in).

`build_hostile_inbox` writes one input per kind and returns what it wrote, so the
test can check that each one is accounted for. Kept apart from the test module so
other tests (and a curious developer) can build the same inbox.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import socket
from dataclasses import dataclass, field
from pathlib import Path

GOOD_BODY = (
    "Foreign ministers from Armenia and Azerbaijan met in Geneva on Monday for talks mediated by "
    "Switzerland, officials said. Both sides agreed to continue the negotiations next month, and the "
    "Swiss government said it would host the next round of talks in Bern before the end of the year."
)
SECRET_MARK = "OUTSIDE-THE-INBOX-SECRET"


@dataclass
class HostileInbox:
    inbox: Path
    outside: Path
    #: kind -> path of the input written for it (relative to the inbox)
    kinds: dict[str, str] = field(default_factory=dict)
    #: paths the scan ignores by design (hidden files, partial uploads); not inputs
    ignored: list[str] = field(default_factory=list)
    sockets: list[socket.socket] = field(default_factory=list)

    def close(self) -> None:
        for s in self.sockets:
            s.close()


def _article(title: str = "Ministers Meet in Geneva", body: str = GOOD_BODY) -> str:
    return f"{title}\n\n{body}\n"


def build_hostile_inbox(root: Path, *, max_input_bytes: int) -> HostileInbox:
    """Write >= 40 kinds of bad input under root/inbox (and a secret under root/outside)."""
    rng = random.Random(11)
    inbox = root / "inbox"
    outside = root / "outside"
    inbox.mkdir(parents=True)
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(f"{SECRET_MARK}\n\n" + (f"{SECRET_MARK} root:x:0:0:root:/root:/bin/bash " * 40))
    h = HostileInbox(inbox=inbox, outside=outside)

    def put(kind: str, name: str, data: bytes | str) -> None:
        path = inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        h.kinds[kind] = name

    good = _article()
    put("good_text", "good.txt", good)
    put("empty", "empty.txt", b"")
    put("whitespace_only", "blank.txt", b"  \n\t\n   \r\n")
    put("bom_only", "bom.txt", b"\xef\xbb\xbf")
    put("random_bytes", "random.txt", bytes(rng.randrange(256) for _ in range(4096)))
    put("random_bytes_gz_name", "random.txt.gz", bytes(rng.randrange(256) for _ in range(2048)))
    put("truncated_gzip", "truncated.txt.gz", gzip.compress(good.encode() * 50)[:60])
    put("gzip_header_only", "header.txt.gz", b"\x1f\x8b")
    put("gzip_bomb", "bomb.txt.gz", gzip.compress(b"\0" * (max_input_bytes * 4), compresslevel=9))
    put("gzip_text_bomb", "textbomb.txt.gz", gzip.compress(b"news " * (max_input_bytes // 2), compresslevel=9))
    put("gzip_of_empty", "nothing.txt.gz", gzip.compress(b""))
    put("gzip_of_binary", "image.txt.gz", gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4))
    put("double_gzip", "double.txt.gz", gzip.compress(gzip.compress(good.encode())))
    put("utf16_le_bom", "utf16le.txt", good.encode("utf-16"))
    put("utf16_be_bom", "utf16be.txt", b"\xfe\xff" + good.encode("utf-16-be"))
    put("utf16_no_bom", "utf16nobom.txt", good.encode("utf-16-le"))
    put("utf32", "utf32.txt", good.encode("utf-32"))
    cp1252 = _article("Caf\u00e9 \u201cPrices\u201d Rise", GOOD_BODY + " \u2013 \u20ac5")
    put("cp1252", "cp1252.txt", cp1252.encode("cp1252"))
    put("utf8_bom", "utf8bom.txt", b"\xef\xbb\xbf" + good.encode())
    put("invalid_utf8", "badutf8.txt", good.encode() + b"\xc3\x28\xa0\xa1\xed\xa0\x80\xf0\x28\x8c\x28" + good.encode())
    put("nul_bytes", "nul.txt", good.encode()[:100] + b"\0\0\0" + good.encode()[100:])
    put("control_chars", "controls.txt", "".join(chr(rng.randrange(1, 32)) for _ in range(3000)))
    put("cr_only_newlines", "mac.txt", good.replace("\n", "\r"))
    put("million_newlines", "newlines.txt", "\n" * 1_000_000 + good)
    put("one_giant_line", "oneline.txt", "word " * 300_000)
    put("too_large", "large.txt", "big " * (max_input_bytes // 4 + 10))
    put("body_too_short", "short.txt", "Title\n\nToo short to be an article.\n")
    put("png_as_txt", "photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    put("pdf_as_html", "doc.html", b"%PDF-1.7\n" + bytes(range(256)) * 4)
    put("elf_as_json", "prog.json", b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4)
    put("zip_as_txt", "archive.txt", b"PK\x03\x04" + bytes(range(256)) * 4)
    put("sqlite_as_txt", "db.txt", b"SQLite format 3\0" + bytes(range(256)) * 4)
    put("malformed_json", "bad.json", '{"title": "x", "text": "unterminated')
    put("json_trailing_garbage", "trailing.json", json.dumps({"title": "t", "text": GOOD_BODY}) + "}}}garbage")
    put("deep_json_array", "deep.json", "[" * 200_000 + "]" * 200_000)
    put("deep_json_object", "deepobj.jsonl", '{"a":' * 100_000 + "1" + "}" * 100_000 + "\n")
    put("json_scalar", "scalar.json", '"just a string"')
    put("json_null", "null.json", "null")
    put("json_list_of_junk", "junk.json", json.dumps([1, "two", None, [3], {"text": 4}, {"text": ""}]))
    put("json_wrong_types", "types.json", json.dumps({"title": ["a"], "text": GOOD_BODY, "url": 5, "source": {}}))
    put("json_nan_infinity", "nan.json", '{"title": NaN, "text": "' + GOOD_BODY + '", "published": Infinity}')
    put("json_huge_timestamp", "hugets.json", json.dumps({"title": "t", "text": GOOD_BODY, "published": 1e300}))
    put("json_bad_date", "baddate.json", json.dumps({"title": "t", "text": GOOD_BODY, "published": "32/13/2024 25:61"}))
    put("json_future_date", "future.json", json.dumps({"title": "Tomorrow's News", "text": GOOD_BODY + " Future.",
                                                        "published": "2999-01-01T00:00:00Z"}))
    put("json_empty_title", "notitle.json", json.dumps({"title": "   ", "text": GOOD_BODY + " Untitled."}))
    put("sql_in_title", "sql.json", json.dumps({
        "title": "'); drop table raw.articles; -- \" ; delete from raw.inputs; select '",
        "text": GOOD_BODY + " Robert'); DROP TABLE students;--", "source": "x' or '1'='1"}))
    put("jsonl_mixed", "mixed.jsonl", "\n".join([
        json.dumps({"title": "Line one", "text": GOOD_BODY + " One."}), "{not json", "[]", "",
        json.dumps({"text": None}), json.dumps({"title": "Line six", "text": GOOD_BODY + " Six."})]))
    put("jsonl_all_bad", "allbad.jsonl", "{\n}\n{{{\n")
    put("unicode_tricks", "rtl.json", json.dumps({
        "title": "\u202eevil\u202c \u200b\u200d \ufeff \U0001f4a3 \ud800".encode("utf-8", "surrogatepass")
        .decode("utf-8", "replace"),
        "text": GOOD_BODY + " \u0000 nul escape \u202e reversed."}))
    put("xml_entity_bomb", "lol.html", (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
        + ']>\n<html><body><p>&lol9;</p></body></html>\n'))
    put("xml_external_entity", "xxe.html", (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f"<html><body><article><h1>XXE</h1><p>&xxe;</p><p>{GOOD_BODY}</p></article></body></html>\n"))
    put("nested_divs_200k", "divs.html", "<html><body>" + "<div>" * 200_000 + GOOD_BODY + "</div>" * 200_000
        + "</body></html>")
    put("html_script_only", "script.html",
        "<html><head><script>" + "alert(1);" * 1000 + "</script></head><body></body></html>")
    put("html_unclosed", "unclosed.html", "<html><body><p>" + GOOD_BODY + "<div><span><table><tr><td>" * 500)
    put("html_charset_lie", "charset.html", ('<html><head><meta charset="utf-16"></head><body><article><p>'
                                             + GOOD_BODY + "</p></article></body></html>").encode("cp1252"))
    put("html_in_txt", "page.txt", "<!doctype html><html><body><p>" + GOOD_BODY + "</p></body></html>")
    put("duplicate", "copy-of-good.txt", good)
    put("duplicate_in_subfolder", "sub/dir/again.txt", good)
    put("odd_name", "sp ace 'quote\" ; drop table x; -- \u00e9\u4e2d.txt", _article("Odd Name", GOOD_BODY + " Odd."))
    put("newline_in_name", "new\nline.txt", _article("New Line", GOOD_BODY + " Newline."))
    put("long_name", ("n" * 240) + ".txt", _article("Long Name", GOOD_BODY + " Long."))
    put("no_extension", "README", _article("No Extension", GOOD_BODY + " Bare."))
    put("unknown_extension", "data.xyz", _article("Unknown Extension", GOOD_BODY + " Unknown."))
    put("unreadable_mode", "mode000.txt", _article("Mode", GOOD_BODY + " Mode."))
    os.chmod(inbox / "mode000.txt", 0)  # root still reads it; anyone else gets unreadable_file

    # A directory with a file's name (it is walked like any folder).
    (inbox / "x.txt").mkdir()
    put("file_inside_dir_named_txt", "x.txt/inner.txt", _article("Inner", GOOD_BODY + " Inner."))
    # Links and special files: inputs that are never opened.
    for kind, name, target in (
        ("symlink_out_absolute", "out-abs.txt", str(secret)),
        ("symlink_out_relative", "out-rel.txt", "../outside/secret.txt"),
        ("symlink_out_dir", "outdir", str(outside)),
        ("symlink_to_etc_passwd", "passwd.txt", "/etc/passwd"),
        ("symlink_dangling", "dangling.txt", "does-not-exist.txt"),
        ("symlink_loop", "loop.txt", "loop.txt"),
        ("symlink_inside", "inside-link.txt", "good.txt"),
    ):
        os.symlink(target, inbox / name)
        h.kinds[kind] = name
    os.mkfifo(inbox / "fifo.txt")
    h.kinds["fifo"] = "fifo.txt"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "socket.txt"))
    h.sockets.append(sock)
    h.kinds["unix_socket"] = "socket.txt"
    if os.geteuid() == 0:
        os.mknod(inbox / "null.txt", 0o600 | 0o020000, os.makedev(1, 3))  # a character device (/dev/null)
        h.kinds["char_device"] = "null.txt"
    # Ignored by design: hidden files and in-progress uploads.
    for name in (".hidden.txt", "upload.txt.part", "~lock.txt", ".git/config"):
        path = inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(good + name)
        h.ignored.append(name)
    return h
