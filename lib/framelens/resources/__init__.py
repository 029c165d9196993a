"""The analyst-editable resources (frame codebook, stance markers) and their validated loaders;
the files themselves ship in ``framelens/data/``.
"""
