"""One of two processes writing to the same offline store at once (test_cache.py)."""

import sys
from pathlib import Path

from viewer.cache import OfflineStore
from viewer.domain import IdentifierKind, Query

folder, key_hex, tag, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
store = OfflineStore.open(folder, bytes.fromhex(key_hex))
for n in range(count):
    store.save_lookup(
        "shared",
        Query(IdentifierKind.EXTERNAL_ID, f"{tag}-{n}"),
        f"{tag} {n}",
        {"sources": {"x": {"n": n, "pad": "x" * 2000}}},
    )
store.close()
print("done", tag)
