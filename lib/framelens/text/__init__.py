"""Text processing: cleaning with an audit trail, sentence splitting, tokens, tags and chunks.
"""
