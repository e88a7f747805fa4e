"""Exact and near-duplicate detection for article bodies.

Exact duplicates share ``body_sha256`` (hash of a whitespace/case/punctuation
normalised body), so re-crawls with cosmetic differences still collide.
Near-duplicates (syndicated copies with different boilerplate or light edits)
are grouped into story clusters with MinHash over word shingles and LSH.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from datasketch import MinHash, MinHashLSH

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_WS_RE = re.compile(r"\s+")
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def normalise_body(body: str) -> str:
    """Canonical form of a body for hashing: NFKC, unified quotes/dashes, lowercase, single spaces."""
    text = unicodedata.normalize("NFKC", body or "").translate(_QUOTES).lower()
    return _WS_RE.sub(" ", text).strip()


def body_sha256(body: str) -> str:
    """sha256 hex of ``normalise_body(body)``: equal for exact duplicates."""
    return hashlib.sha256(normalise_body(body).encode("utf-8")).hexdigest()


def _shingles(body: str, k: int) -> set[bytes]:
    tokens = _TOKEN_RE.findall(normalise_body(body))
    if len(tokens) < k:
        return {" ".join(tokens).encode("utf-8")} if tokens else set()
    return {" ".join(tokens[i : i + k]).encode("utf-8") for i in range(len(tokens) - k + 1)}


#: A fixed text with mixed case, punctuation and typographic quotes: its band keys
#: change when the hashing, shingling or normalisation of bodies does.
FINGERPRINT_TEXT = (
    "The \u201cProbe\u201d Story: Ministers from Genève and São Paulo met on 3 May \u2014 talks "
    "resumed after the ceasefire, officials said; markets rose 2.5% and the\u00a0central bank held rates."
)


class StoryClusterer:
    """Assigns story cluster ids: near-duplicate bodies share one id.

    Word 3-shingles keep light edits (a changed word touches only 3 shingles)
    from breaking a match while different stories on one topic share few
    shingles. The default threshold 0.5 sits between the two, see tests/test_dedup.py.
    """

    def __init__(self, threshold: float = 0.5, num_perm: int = 128, shingle_size: int = 3) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        # the permutations depend only on num_perm and the seed: drawn once, not per body
        template = MinHash(num_perm=num_perm)
        self._scheme, self._permutations = template.scheme, template.permutations
        self._minhashes: dict[str, MinHash] = {}
        self._cluster_of: dict[str, str] = {}

    def minhash(self, body: str) -> MinHash:
        """MinHash signature of a body's word shingles."""
        mh = MinHash(num_perm=self.num_perm, permutations=self._permutations, scheme=self._scheme)
        shingles = _shingles(body, self.shingle_size)
        if shingles:
            mh.update_batch(list(shingles))
        return mh

    def band_keys(self, mh: MinHash) -> list[int]:
        """One signed 64-bit key per LSH band of a signature (the band number is hashed in).

        Two signatures share a key exactly when they collide in that band of the
        in-memory index, so a table of these keys finds the articles an index of all
        history would return as candidates, without rebuilding that index every run.
        """
        keys = []
        for band, (start, end) in enumerate(self._lsh.hashranges):
            digest = hashlib.blake2b(
                mh.hashvalues[start:end].tobytes(),
                digest_size=8,
                person=band.to_bytes(16, "little"),
            ).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys

    def index_fingerprint(self) -> str:
        """Changes whenever stored band keys would (hash scheme, permutations, banding,
        shingling, normalisation), so a table of keys made with other settings is dropped
        rather than silently missing candidates. Computed from the keys of a fixed text."""
        keys = self.band_keys(self.minhash(FINGERPRINT_TEXT))
        settings = f"{self.threshold}|{self.num_perm}|{self.shingle_size}|{keys}"
        return hashlib.sha256(settings.encode("utf-8")).hexdigest()

    def _insert(self, article_id: str, cluster_id: str, mh: MinHash) -> None:
        if article_id in self._minhashes:
            return
        self._lsh.insert(article_id, mh)
        self._minhashes[article_id] = mh
        self._cluster_of[article_id] = cluster_id

    def add_existing(self, article_id: str, story_cluster_id: str, body: str) -> None:
        """Seed the index with an already-clustered article (e.g. from the warehouse)."""
        self._insert(article_id, story_cluster_id, self.minhash(body))

    def assign(self, article_id: str, body: str, mh: MinHash | None = None) -> str:
        """Cluster id for a new article: the best-matching existing cluster, else its own id.

        The best match has the highest similarity, then the smallest article id, so the
        result does not depend on the order the index returns its candidates in.
        """
        if article_id in self._cluster_of:
            return self._cluster_of[article_id]
        mh = mh if mh is not None else self.minhash(body)
        best_id: str | None = None
        best_sim = -1.0
        if _TOKEN_RE.search(body or ""):
            for candidate in self._lsh.query(mh):
                sim = mh.jaccard(self._minhashes[candidate])
                if sim >= self.threshold and (
                    sim > best_sim or (sim == best_sim and best_id is not None and candidate < best_id)
                ):
                    best_sim, best_id = sim, candidate
        cluster_id = self._cluster_of[best_id] if best_id is not None else article_id
        self._insert(article_id, cluster_id, mh)
        return cluster_id

    def __len__(self) -> int:
        return len(self._minhashes)
