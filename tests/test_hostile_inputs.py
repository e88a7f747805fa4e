"""More than 40 kinds of hostile input through the real ingest: nothing crashes, nothing is lost,
nothing outside the inbox is read, and no input file is changed."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

import duckdb
import pytest
from hostile_inputs import SECRET_MARK, build_hostile_inbox

from newswire import publish
from newswire.ingest import discover, extract, load
from newswire.nlp import annotate
from newswire.validation import raw as raw_validation

MAX_INPUT_BYTES = 3_000_000

_OPENED: list[str] = []
_HOOKED = False


def _hook(event: str, args: tuple) -> None:
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


def _fingerprint(root: Path) -> dict[str, tuple]:
    """What each entry under root looks like, without following links or opening special files."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = os.lstat(path)
            content: str | None = None
            if stat.S_ISREG(st.st_mode):
                content = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(path)
            out[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns, content)
    return out


@pytest.mark.slow
def test_hostile_inbox_is_fully_accounted_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    global _HOOKED
    h = build_hostile_inbox(tmp_path, max_input_bytes=MAX_INPUT_BYTES)
    try:
        assert len(h.kinds) >= 40
        monkeypatch.setenv("NEWSWIRE_INBOX", str(h.inbox))
        monkeypatch.setenv("NEWSWIRE_WAREHOUSE", str(tmp_path / "wh" / "newswire.duckdb"))
        monkeypatch.setenv("NEWSWIRE_MAX_INPUT_BYTES", str(MAX_INPUT_BYTES))
        monkeypatch.setenv("NEWSWIRE_BATCH_SIZE", "25")
        monkeypatch.setenv("NEWSWIRE_NLP_PROCESSES", "1")
        # in-process, so the audit hook sees every open (tests/test_extract_parallel.py
        # checks that forked parsing gives the same rows and reasons)
        monkeypatch.setenv("NEWSWIRE_PARSE_PROCESSES", "1")
        before = (_fingerprint(h.inbox), _fingerprint(h.outside))
        if not _HOOKED:
            sys.addaudithook(_hook)  # cannot be removed: it only appends to a module-level list
            _HOOKED = True
        _OPENED.clear()

        run_id = "hostile"
        found = discover.discover(run_id)
        manifests = [
            annotate.annotate_batch(extract.extract_batch(b, i, run_id, found["template_stats_path"]))
            for i, b in enumerate(found["batches"])
        ]
        load.load_batches(manifests, run_id)
        raw_validation.validate_raw(run_id)  # raises on a blocking failure
        publish.publish_raw()
        opened = list(_OPENED)
        _OPENED.clear()

        outside = str(h.outside)
        leaks = [p for p in opened if p.startswith(outside) or p == "/etc/passwd"]
        assert leaks == []
        assert (_fingerprint(h.inbox), _fingerprint(h.outside)) == before  # no input (nor the secret) changed

        with duckdb.connect(str(tmp_path / "wh" / "newswire.duckdb"), read_only=True) as con:
            inputs = {p: s for p, s in con.execute("select input_path, status from raw.inputs").fetchall()}
            rejected = {
                p: (code, reason)
                for p, code, reason in con.execute(
                    "select input_path, reason_code, reason from raw.rejections"
                ).fetchall()
            }
            text = con.execute(
                "select string_agg(coalesce(title, '') || body || coalesce(publisher, ''), ' ') from raw.articles"
            ).fetchone()[0]
            tables = {
                # the published file holds views over Parquet segments (newswire.publish)
                r[0] for r in con.execute(
                    "select view_name from duckdb_views() where schema_name = 'raw' and not internal").fetchall()
            }
        expected = {str(h.inbox / rel) for rel in h.kinds.values()}
        missing = expected - set(inputs)
        assert missing == set(), f"inputs not accounted for: {sorted(missing)}"
        assert not {str(h.inbox / rel) for rel in h.ignored} & set(inputs)
        assert set(inputs) <= expected
        for path, status in inputs.items():
            assert status in ("loaded", "partial", "rejected", "duplicate"), (path, status)
            if status in ("rejected", "partial"):
                code, reason = rejected[path]
                assert code and reason, path
        p = lambda kind: str(h.inbox / h.kinds[kind])  # noqa: E731
        reasons = {kind: rejected.get(p(kind), (None,))[0] for kind in h.kinds}
        assert reasons["symlink_out_absolute"] == reasons["symlink_out_relative"] == "symlink_outside_inbox"
        assert reasons["symlink_to_etc_passwd"] == reasons["symlink_out_dir"] == "symlink_outside_inbox"
        assert reasons["symlink_dangling"] == reasons["symlink_loop"] == "broken_symlink"
        assert reasons["fifo"] == reasons["unix_socket"] == "special_file"
        assert reasons["empty"] == reasons["whitespace_only"] == "empty_file"
        assert reasons["gzip_bomb"] == "too_large" and reasons["too_large"] == "too_large"
        assert reasons["truncated_gzip"] == "corrupt_gzip"
        assert reasons["png_as_txt"] == reasons["random_bytes"] == "binary_file"
        assert reasons["malformed_json"] == reasons["deep_json_array"] == "malformed_json"
        assert reasons["deep_json_object"] == "malformed_json"
        same = [inputs[p(k)] for k in ("good_text", "duplicate", "duplicate_in_subfolder", "symlink_inside")]
        assert sorted(same) == ["duplicate", "duplicate", "duplicate", "loaded"]  # one content, loaded once
        print({k: (inputs.get(p(k)), reasons[k]) for k in h.kinds})
        for kind in ("utf16_le_bom", "utf16_be_bom", "cp1252", "utf8_bom", "sql_in_title",
                     "json_future_date", "nested_divs_200k", "odd_name", "newline_in_name",
                     "file_inside_dir_named_txt"):
            assert inputs[p(kind)] in ("loaded", "partial"), kind
        assert inputs[p("jsonl_mixed")] == "partial"
        assert SECRET_MARK not in text and "root:x:0:0" not in text
        assert {"articles", "inputs", "rejections"} <= tables  # the SQL in titles was only data
    finally:
        h.close()
