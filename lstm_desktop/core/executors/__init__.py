"""Where many independent items run: local worker processes, or a Dask cluster."""
