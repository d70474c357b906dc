"""Run ▸ Compare models…: the dialog (its own view) and the controller that runs it through the app state."""
