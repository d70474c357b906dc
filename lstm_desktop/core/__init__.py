"""The engine: data, datasets, model, training, evaluation, forecasting, projects. Never imports Qt."""
