"""Stored tables: the Parquet format, a corpus' partitions, and map/reduce over them.
"""
