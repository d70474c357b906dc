"""Would the forecast have made money? Trading rules on out-of-sample predictions only, costs on by default, the
result beside buy-and-hold and cash with a Sharpe-difference test that allows for autocorrelation. No Qt, no torch:
numpy over the stored predictions, fast enough to recompute on every change of a setting."""
