"""CallAssist: live, offline coaching for phone agents calming upset customers."""

import os

# The coach's sentence model multiplies small matrices on every utterance: OpenBLAS's threads
# only add waiting on a small machine that is also recognising speech (measured p90 326 ms
# with threads against 14 ms without). Set before anything imports numpy; a user may override.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
