"""Duplicate reports: exact (same text, white space aside) and near (MinHash over character
shingles, datasketch)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

NUM_PERM = 128


def compact(text: str) -> str:
    """``text`` without white space: what duplicate detection compares."""
    return "".join(text.split())


def shingle_hashes(text: str, size: int = 5, sample: int = 16) -> list[int]:
    """32-bit hashes of the ``size``-character shingles of ``compact(text)`` that are 0 mod
    ``sample`` (with repeats; MinHash ignores them).

    Keeping the shingles whose hash is 0 mod m is Broder's (1997) sampling: the resemblance of
    the samples estimates that of the full sets, at 1/m of the MinHash work. The hashes are a
    polynomial rolling hash over the code points, vectorised with numpy; hashing shingle by
    shingle in Python was most of the cleaning time on a large corpus.
    """
    codes = np.frombuffer(compact(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < size:
        codes = np.concatenate([codes, np.zeros(size - len(codes), dtype=np.uint64)])
    n = len(codes) - size + 1
    hashes = np.zeros(n, dtype=np.uint64)
    for offset in range(size):
        hashes = hashes * np.uint64(0x100000001B3) + codes[offset:offset + n]
    hashes >>= np.uint64(32)
    sampled = hashes[hashes % np.uint64(sample) == 0]
    # A very short text may have no shingle in the sample: then it is its own sample.
    return (sampled if len(sampled) else hashes).tolist()


@lru_cache(maxsize=1)
def _scratch_minhash():
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)  # values are hashed already


def text_minhash(text: str, sample: int = 16):
    """A datasketch LeanMinHash of the text's character shingles, one in ``sample`` kept."""
    from datasketch import LeanMinHash

    # One MinHash per process, cleared and refilled: making one generates its permutations,
    # which took longer than hashing a report.
    scratch = _scratch_minhash()
    scratch.clear()
    scratch.update_batch(shingle_hashes(text, sample=sample))
    return LeanMinHash(scratch)


@dataclass(frozen=True)
class Fingerprint:
    """What duplicate detection compares: a digest of the exact text (white space aside) and
    a MinHash for near-duplicates. Computed in worker processes; small to send back."""

    digest: str
    minhash: object

    @classmethod
    def of(cls, text: str, sample: int = 16) -> "Fingerprint":
        return cls(hashlib.sha1(compact(text).encode()).hexdigest(), text_minhash(text, sample))


class Twin(NamedTuple):
    """The earlier text a text duplicates: its key, the estimated Jaccard similarity of their
    shingles, and whether the texts are identical (white space aside)."""

    key: str
    similarity: float
    exact: bool


class DuplicateFinder:
    """Exact (same text) and near (MinHash Jaccard >= threshold) duplicates among the texts
    added so far; the first text added is the one kept."""

    def __init__(self, threshold: float):
        from datasketch import MinHashLSH

        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._exact: dict[str, str] = {}
        self._minhashes: dict = {}

    def add(self, key: str, fingerprint: Fingerprint) -> Twin | None:
        """Record a text by its fingerprint; return the earlier text it duplicates, if any."""
        if fingerprint.digest in self._exact:
            return Twin(self._exact[fingerprint.digest], 1.0, exact=True)
        minhash = fingerprint.minhash
        # LSH proposes candidates; the estimated Jaccard similarity decides.
        scored = sorted(((minhash.jaccard(self._minhashes[other]), other) for other in self._lsh.query(minhash)),
                        key=lambda pair: (-pair[0], pair[1]))
        if scored and scored[0][0] >= self.threshold:
            return Twin(scored[0][1], scored[0][0], exact=False)
        self._exact[fingerprint.digest] = key
        self._minhashes[key] = minhash
        self._lsh.insert(key, minhash)
        return None

    @property
    def n_distinct(self) -> int:
        """Texts added that duplicated none before them."""
        return len(self._minhashes)

