"""Shared machinery with no knowledge of news: engines (process pool, Dask), progress, colours, number formats.
"""
