"""What lands at a task's end is drawn in steps, one per turn of the event loop: in the order asked, a step asked
for twice while it waits drawn once, and the task's end announced only after the last."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from lstm_desktop.gui.steps import Steps


def test_steps_run_one_a_turn_in_order_once_each_then_drain(qtbot) -> None:
    steps = Steps()
    done: list[str] = []
    turns: list[str] = []

    def price() -> None:
        done.append("price")
        QTimer.singleShot(0, lambda: turns.append(f"turn after {len(done)}"))  # an event asked for meanwhile

    with steps.spread():
        assert steps.spreading
        steps.add("price", price)
        steps.add("table", lambda: done.append("table"))
        steps.add("price", lambda: done.append("price again"))  # waiting already: drawn once
    assert not steps.spreading and done == [] and not steps.idle()
    steps.when_drained(lambda: done.append("announced"))
    with qtbot.waitSignal(steps.drained, timeout=5_000):
        pass
    assert done == ["price", "table", "announced"]
    assert turns == ["turn after 1"]  # it ran between the first step and the second: one step a turn
    steps.when_drained(lambda: done.append("at once"))  # nothing waits: called now
    assert done[-1] == "at once" and steps.idle()


def test_flush_draws_what_waits_now(qtbot) -> None:
    steps = Steps()
    done: list[int] = []
    for number in range(3):
        steps.add(number, lambda number=number: done.append(number))
    steps.flush()
    assert done == [0, 1, 2] and steps.idle()


def test_soon_draws_now_unless_a_result_is_landing(qtbot) -> None:
    steps = Steps()
    done: list[str] = []
    steps.soon("price", lambda: done.append("now"))  # a person's own action: shown at once
    assert done == ["now"] and steps.idle()
    with steps.spread():
        steps.soon("price", lambda: done.append("later"))
    assert done == ["now"] and not steps.idle()
    with qtbot.waitSignal(steps.drained, timeout=5_000):
        pass
    assert done == ["now", "later"]
