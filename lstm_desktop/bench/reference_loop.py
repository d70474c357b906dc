"""The way most PyTorch code trains an LSTM: DataLoader(TensorDataset, shuffle=True, batch_size=64), default
threads and settings. Run in a fresh process (`python -m lstm_desktop.bench.reference_loop DATA.npz EPOCHS`)
so nothing the app's process tunes can help it. Prints one JSON line: seconds of each epoch."""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, features: int, hidden: int = 50, layers: int = 2) -> None:
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.head(out[:, -1, :])


def main() -> None:
    data = np.load(sys.argv[1])
    epochs = int(sys.argv[2])
    train = DataLoader(
        TensorDataset(torch.from_numpy(data["x_train"]), torch.from_numpy(data["y_train"])), batch_size=64, shuffle=True
    )
    val = DataLoader(TensorDataset(torch.from_numpy(data["x_val"]), torch.from_numpy(data["y_val"])), batch_size=64)
    torch.manual_seed(0)
    model = Net(data["x_train"].shape[2])
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    seconds = []
    for _ in range(epochs):
        tick = time.perf_counter()
        model.train()
        for x, y in train:
            optimiser.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            sum(loss_fn(model(x), y).item() for x, y in val)
        seconds.append(time.perf_counter() - tick)
    print(json.dumps({"seconds": seconds, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
