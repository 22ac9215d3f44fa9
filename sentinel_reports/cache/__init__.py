"""Every cache of a project, in one package over one content-addressed store (``<project>/.sentinel/cache``).

    store     Store: {name: bytes} entries and JSON documents under (kind, key); digest, tree_digest
    code      code_key(modules): the digest of the import closure of modules (or of the whole package),
              the code part of every key
    sources   SourceCache: parsed sources as Parquet frames under ``sources/``, extended when a glob gains files;
              PartCache: per-file partial aggregates under ``parts/`` (collectors with ``per_file``)
    memo      DigestMemo: input-file digests remembered by size, mtime, inode and ctime
    drafts    DraftCache: accepted Claude drafts, in the store
    writes    settled(), later(fn): parse-cache entries written beside the build, waited for before it
              ends and before any fork

Kinds in the store: ``facts``, ``facts-index``, ``facts-text``, ``builds``, ``sites``, ``pages`` (briefs),
``status``, ``decks``, ``charts``, ``drafts``. Who computes which key: docs/architecture.md.
"""

from .code import code_key
from .sources import PartCache, SourceCache, cache_key, source_material
from .store import Store, digest, tree_digest

__all__ = [
    "PartCache",
    "SourceCache",
    "Store",
    "cache_key",
    "code_key",
    "digest",
    "source_material",
    "tree_digest",
]
