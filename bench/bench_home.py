"""Imported first by every bench that opens a window or a lookup service: their settings,
saved data and access log go to a temporary folder, removed at exit, never to the agent's
own folders. A bench's lookups are no agent's, and the agent's hidden columns would change
what is measured. Folders already set in the environment are kept."""

import atexit
import os
import shutil
import tempfile

HOME = tempfile.mkdtemp(prefix="viewer-bench-")
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
for _folder in ("CONFIG", "CACHE", "LOG"):
    os.environ.setdefault(f"VIEWER_{_folder}_DIR", f"{HOME}/{_folder.lower()}")
