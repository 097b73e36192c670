"""Real-browser tests: the notebooks and widgets driven in JupyterLab 4 and Notebook 7 by Chromium."""
