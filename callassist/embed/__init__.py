"""Sentence embeddings that run offline: all-MiniLM-L6-v2 in numpy, its files pinned."""
