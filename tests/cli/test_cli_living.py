"""refresh, track and update from the command line, as a cron job would run them: a CSV cut at a date trained with
--project, refreshed with the whole file, tracked, updated; exit codes as train's (0 also with nothing new, and
then the file's bytes unchanged); every failure named with what to do, the file intact; a kill during a refresh
or an update leaves the old file as it was."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lstm_desktop.cli import main
from lstm_desktop.core.store import project_file
from lstm_desktop.core.store.project_io import load_project

from ..living_data import CUT, FAST, cut_and_full, raw_prices, sample_rows, write_csv

posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A project trained on the command line on AAPL cut at CUT; the cut file and the whole file."""
    folder = tmp_path_factory.mktemp("cron")
    cut, full = cut_and_full(folder)
    path = folder / "aapl.lstmproj"
    assert main(["train", "--csv", str(cut), *FAST, "--project", str(path), "--quiet"]) == 0
    return path, cut, full


@pytest.fixture
def project(files, tmp_path: Path) -> Path:
    copy = tmp_path / "aapl.lstmproj"
    shutil.copy(files[0], copy)
    return copy


def test_refresh_track_update_as_a_cron_job_would(capsys, files, project: Path) -> None:
    _, cut, full = files
    untouched = project.read_bytes()
    code, out, err = cli(capsys, "refresh", project, "--json")  # its own file: nothing new
    assert code == 0 and json.loads(out)["changed"] is False and "nothing new" in err
    assert project.read_bytes() == untouched

    code, out, err = cli(capsys, "refresh", project, "--csv", full, "--json")
    assert code == 0 and f"saved {project}" in err
    document = json.loads(out)
    (row,) = document["refresh"]
    assert row["added"] == 166 and row["first_new"] == "2012-07-02" and row["last"] == "2013-03-01"
    (tracked,) = document["tracked"]
    assert set(tracked) >= {"run", "origin", "days_known", "rmse", "flat_rmse", "coverage", "alarm", "text", "days"}
    assert set(tracked["days"][0]) >= {"date", "value", "lower", "upper", "actual", "inside"}
    assert tracked["origin"] == CUT and tracked["days_known"] == 20
    after, before = raw_prices(full), raw_prices(cut)
    first = tracked["days"][0]
    assert first["actual"] == pytest.approx(before[CUT] * after[first["date"]] / after[CUT], rel=1e-12)

    refreshed = project.read_bytes()
    code, out, err = cli(capsys, "refresh", project, "--csv", full)
    assert code == 0 and "nothing new" in err and project.read_bytes() == refreshed  # cron, the next day

    code, out, _ = cli(capsys, "track", project, "--json")
    assert code == 0 and json.loads(out)["tracked"] == document["tracked"]
    code, out, _ = cli(capsys, "track", project)
    assert code == 0 and "Since 2012-06-29" in out and "days" in out.splitlines()[0]

    old_id = load_project(project).current.id
    code, out, err = cli(capsys, "update", project, "--json")
    assert code == 0, err
    run = json.loads(out)
    assert run["parent"] == old_id and run["data"]["end"] == "2013-03-01" and run["split"]["test"][1] == "2013-03-01"
    assert run["run"]["name"] == "run 1 (updated to 2013-03-01)" and "epoch 1/" in err
    meta, _ = project_file.unpack_entries(project)
    assert [r["id"] for r in meta["runs"]] == [old_id, run["run"]["id"]]
    code, out, err = cli(capsys, "update", project)  # the new run is current and knows every day
    assert code == 0 and "nothing new" in err and out == ""
    code, out, _ = cli(capsys, "track", project, "--json")
    assert [t["origin"] for t in json.loads(out)["tracked"]] == [CUT, "2013-03-01"]
    code, out, _ = cli(capsys, "show", project, "--json")
    assert [r.get("parent") for r in json.loads(out)["runs"]] == [None, old_id]


def test_the_old_run_stays_bit_identical_in_the_file(capsys, files, project: Path) -> None:
    _, _, full = files
    before, entries_before = project_file.unpack_entries(project)
    assert cli(capsys, "update", project, "--csv", full, "--refit", "--json")[0] == 0  # refresh and refit in one
    after, entries_after = project_file.unpack_entries(project)
    old = before["runs"][0]
    assert after["runs"][0] == old and after["frozen"][0] == before["frozen"][0]
    name = f"weights/{old['id']}.safetensors"
    assert entries_after[name] == entries_before[name]
    assert after["runs"][1]["report"]["parent"] == old["id"]


def test_a_readjusted_past_is_warned_and_an_edited_one_refused(capsys, project: Path, tmp_path: Path) -> None:
    rows = sample_rows()
    scaled = write_csv(tmp_path / "scaled" / "AAPL.csv", rows, {r["Date"]: 0.5 for r in rows})
    code, _, err = cli(capsys, "refresh", project, "--csv", scaled)
    assert code == 0 and "constant factor (Adj Close × 0.5" in err and "2009-06-01 to 2012-06-29" in err
    edited = write_csv(tmp_path / "edited" / "AAPL.csv", rows, {"2012-06-01": 1.1, "2011-02-07": 0.9})
    untouched = project.read_bytes()
    code, _, err = cli(capsys, "refresh", project, "--csv", edited)
    assert code == 2 and "2011-02-07" in err and "2012-06-01" in err and "project is unchanged" in err
    assert project.read_bytes() == untouched


def test_every_failure_is_named_and_leaves_the_file_intact(capsys, project: Path, tmp_path: Path) -> None:
    untouched = project.read_bytes()
    broken = tmp_path / "broken.csv"
    broken.write_text("Date,Close\nyesterday,abc\n")
    code, _, err = cli(capsys, "refresh", project, "--csv", broken)
    assert code == 2 and "broken.csv" in err
    other = write_csv(tmp_path / "MSFT.csv", sample_rows("MSFT"))
    code, _, err = cli(capsys, "refresh", project, "--csv", other)
    assert code == 2 and "check that it holds the prices of AAPL" in err
    code, _, err = cli(capsys, "update", project, "--csv", other)
    assert code == 2 and "nothing was updated or saved" in err
    code, _, err = cli(capsys, "refresh", project, "--csv", tmp_path / "nowhere.csv")
    assert code == 2 and "is not a file" in err
    assert project.read_bytes() == untouched

    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.specs import DataRequest
    from lstm_desktop.core.store.project import DataSet, Project
    from lstm_desktop.core.store.project_io import save_project

    empty = Project(loaded=DataSet.of(load_prices(DataRequest(source="sample", tickers=("IBM",), end=CUT))))
    bare = save_project(empty, tmp_path / "bare.lstmproj")
    code, _, err = cli(capsys, "update", bare)
    assert code == 2 and "no run to update: train a model first" in err
    code, out, _ = cli(capsys, "track", bare)
    assert code == 0 and "No frozen forecast yet" in out
    assert cli(capsys, "refresh", bare)[0] == 0  # a project with prices and no run can still be brought up to date
    code, _, err = cli(capsys, "refresh", save_project(Project(), tmp_path / "none.lstmproj"))
    assert code == 2 and "holds no prices yet" in err


def test_a_project_from_before_is_refreshed_from_its_sample_and_tracked(capsys, tmp_path: Path) -> None:
    old = tmp_path / "v5.lstmproj"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "project_v5.lstmproj", old)
    code, out, err = cli(capsys, "refresh", old, "--json")
    assert code == 0 and f"saved {old}" in err
    document = json.loads(out)
    assert document["refresh"][0]["added"] == 166 and document["refresh"][0]["source"] == "sample"
    assert [t["days_known"] for t in document["tracked"]] == [20, 20]
    code, _, err = cli(capsys, "refresh", old)
    assert code == 0 and "the bundled sample ends on 2013-03-01 and is never updated" in err


KILLED = """
import sys, time
from lstm_desktop.core.store import atomic
def stuck(fd):
    print("writing", flush=True)
    time.sleep(120)
atomic.os.fsync = stuck
from lstm_desktop.cli import main
sys.exit(main({args!r}))
"""


def killed_while_saving(args: list[str]) -> None:
    """Run the command in another process, stopped inside the save's fsync, and kill it there."""
    script = KILLED.format(args=[str(a) for a in args])
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)  # fmt: skip
    try:
        assert worker.stdout is not None
        assert any(line.strip() == "writing" for line in worker.stdout)  # what it printed before, then stuck
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=60)


@posix_only
def test_a_kill_during_refresh_or_update_leaves_the_old_file_intact(files, project: Path) -> None:
    _, _, full = files
    untouched = project.read_bytes()
    killed_while_saving(["refresh", project, "--csv", full, "--quiet"])
    assert project.read_bytes() == untouched and load_project(project).live is None
    killed_while_saving(["update", project, "--csv", full, "--quiet"])
    assert project.read_bytes() == untouched
    worker = subprocess.Popen([sys.executable, "-m", "lstm_desktop.cli", "update", str(project), "--csv", str(full)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert worker.stderr is not None
        for line in worker.stderr:
            if "epoch 1/" in line:
                break  # training: killed before it could save anything
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=60)
    assert project.read_bytes() == untouched
    assert len(load_project(project).runs) == 1


def test_updating_one_tickers_run_of_a_sweep_from_its_own_file(capsys, tmp_path: Path) -> None:
    """A newer file of one ticker updates that ticker's run; the sweep's other ticker is neither refreshed nor a
    failure. Runs and every ticker are not asked for together."""
    from lstm_desktop.core.store.project_io import save_project

    from ..living_data import cut_sweep

    path = save_project(cut_sweep(epochs=1), tmp_path / "sweep.lstmproj")
    ibm = write_csv(tmp_path / "IBM.csv", sample_rows("IBM"))
    code, out, err = cli(capsys, "update", path, "--run", "sweep IBM", "--csv", ibm, "--json")
    assert code == 0, err
    assert json.loads(out)["run"]["name"] == "sweep IBM (updated to 2013-03-01)" and "MSFT" not in err
    assert [r.name for r in load_project(path).runs][-1] == "sweep IBM (updated to 2013-03-01)"
    code, _, err = cli(capsys, "update", path, "--run", "sweep IBM", "--every-ticker")
    assert code == 2 and "not both" in err
