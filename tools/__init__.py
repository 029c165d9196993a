"""framelens' development tools, beside the package (the installed ``framelens`` never imports
them): ``python -m tools.validate`` (validity figures against the hand-labelled sets) and ``python
-m tools.train_tone_model`` (cross-validate and re-fit the news tone model on NewsMTSC). Run them
from a checkout; data paths are arguments."""
