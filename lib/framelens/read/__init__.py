"""Reading a corpus (folder, CSV, JSON Lines, Parquet; whole or streamed) into a :class:`Corpus`.
"""
