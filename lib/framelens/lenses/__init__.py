"""The measures: actors, agency, coverage, framing, tone (sentiment, the tone model), vocabulary,
shared passages, change over time, the corpus overview, per-source profiles and the synthesis,
and the statistics they share.
"""
