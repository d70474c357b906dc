"""Hyperparameter search: Optuna (seeded TPE, median pruning on each epoch's validation loss) over the settings a
user ticks, trials trained in workers, the study owned by the parent and kept in a journal file, the test split
scored once for the best trial after the search."""
