"""Running the suite: the runner (papermill, HTML export, the site) and the command line.
"""
