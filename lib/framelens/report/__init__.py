"""Showing results: figures (``plots``), tables and notes in notebooks (``show``), the HTML site.
"""

from framelens.report.show import *  # noqa: F401,F403  (for users: the API of framelens <= 0.1)
