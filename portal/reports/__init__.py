"""Public statistics and staff reports, read from per-month figures that a job rebuilds
(`figures.py`), never from the complaints table on a request."""
