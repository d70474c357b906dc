"""The Track tab: the forecast log against what happened, File ▸ Refresh prices and Run ▸ Update model."""
