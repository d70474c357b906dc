"""Compare models: several variants (cells, inputs left out) trained on the same data, split and seed, each a run."""
