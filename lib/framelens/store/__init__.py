"""The lens store: the parts registry (each measure's options, map and reduce), the store on disk,
ingest, and computing parts on an engine.
"""

from framelens.store.lens_store import LensStore, default_store, fetch_sentences, open_store  # noqa: F401,F403  (for users: the API of framelens <= 0.1)
