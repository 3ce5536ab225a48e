"""Speech recognition: one engine interface (`engine.py`), the Vosk engine and the pocketsphinx
fallback, and model management (`models.py`, `download.py`)."""
