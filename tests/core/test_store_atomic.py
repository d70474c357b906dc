"""Saving a project file: atomic, the old file intact after any failure, its mode and symlinks kept, and the
temporary files of killed saves cleaned up without touching a save that is still running."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lstm_desktop.core.store import atomic
from lstm_desktop.core.store.atomic import STALE_AFTER_S, remove_stale_temporaries, temporary_name, write_bytes_atomic
from lstm_desktop.core.store.project_file import SaveFailed, write

OLD, NEW = b"old project " * 1000, b"new project " * 2000
HOUR_AGO = time.time() - 3600

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes, FIFOs and locks")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "work.lstmproj"
    path.write_bytes(OLD)
    return path


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def leftover(target: Path, age: float = HOUR_AGO) -> Path:
    """A temporary file as a killed save of `target` leaves it: full size, named by the pattern, `age` old."""
    path = target.parent / temporary_name(target)
    path.write_bytes(NEW)
    os.utime(path, (age, age))
    return path


def test_a_save_replaces_the_file_and_leaves_nothing_else(project: Path) -> None:
    assert write(project, NEW) == project
    assert project.read_bytes() == NEW
    assert names(project.parent) == [project.name]
    assert write(project.parent / "other", OLD).name == "other.lstmproj"


# ------------------------------------------------------------------------------------------------ modes and links


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664, 0o444])
def test_the_existing_file_keeps_its_mode(project: Path, mode: int) -> None:
    project.chmod(mode)
    write(project, NEW)
    assert stat.S_IMODE(project.stat().st_mode) == mode and project.read_bytes() == NEW


@posix_only
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, umask: int, mode: int) -> None:
    before = os.umask(umask)
    try:
        path = write(tmp_path / "fresh.lstmproj", NEW)
    finally:
        os.umask(before)
    assert stat.S_IMODE(path.stat().st_mode) == mode


@posix_only
def test_a_symlink_is_written_through_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "work.lstmproj"
    target.write_bytes(OLD)
    target.chmod(0o640)
    link = tmp_path / "link.lstmproj"
    link.symlink_to(Path("real") / "work.lstmproj")  # relative, as users often make them
    write(link, NEW)
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "work.lstmproj")
    assert target.read_bytes() == NEW and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert names(tmp_path / "real") == ["work.lstmproj"] and names(tmp_path) == ["link.lstmproj", "real"]


@posix_only
def test_a_dangling_symlink_creates_its_target_and_a_loop_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.lstmproj"
    link.symlink_to(tmp_path / "later.lstmproj")
    write(link, NEW)
    assert link.is_symlink() and (tmp_path / "later.lstmproj").read_bytes() == NEW
    loop_a, loop_b = tmp_path / "a.lstmproj", tmp_path / "b.lstmproj"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    with pytest.raises(SaveFailed, match="points in a circle"):
        write(loop_a, NEW)
    assert loop_a.is_symlink() and loop_b.is_symlink()


# ------------------------------------------------------------------------------------------------ stale temporaries


def test_stale_temporary_files_of_the_target_are_removed_and_fresh_ones_kept(project: Path) -> None:
    stale, fresh = leftover(project), leftover(project, age=time.time() - STALE_AFTER_S / 2)
    by_mkstemp = project.parent / f".{project.name}.k3_9xq0a.tmp"  # left by earlier versions, which used mkstemp
    by_mkstemp.write_bytes(NEW)
    os.utime(by_mkstemp, (HOUR_AGO, HOUR_AGO))
    others = [
        project.parent / f".{project.name}.backup.abcdefgh.tmp",  # of the target "work.lstmproj.backup"
        project.parent / ".other.lstmproj.abcdefgh.tmp",
        project.parent / f".{project.name}.abcdefgh.tmp.keep",
        project.parent / f".{project.name}.abc.tmp",
    ]
    for path in others:
        path.write_bytes(b"x")
        os.utime(path, (HOUR_AGO, HOUR_AGO))
    write(project, NEW)
    assert not stale.exists() and not by_mkstemp.exists()
    assert fresh.exists() and all(path.exists() for path in others)
    assert project.read_bytes() == NEW


@posix_only
def test_only_regular_files_are_cleaned(project: Path) -> None:
    folder = project.parent / temporary_name(project)
    folder.mkdir()
    link = project.parent / temporary_name(project)
    link.symlink_to(project)
    os.utime(folder, (HOUR_AGO, HOUR_AGO))
    os.utime(link, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)
    assert remove_stale_temporaries(project) == []
    assert folder.is_dir() and link.is_symlink() and project.read_bytes() == OLD


@posix_only
def test_a_save_still_running_in_another_process_is_left_alone(project: Path) -> None:
    """A writer stopped inside fsync holds its lock: its old-looking temporary file survives other saves; once the
    writer is killed (as a crash or a closed laptop lid would), the next save removes what it left."""
    script = f"""
import os, sys, time
from lstm_desktop.core.store import atomic
def stuck(fd):
    print("writing", flush=True)
    time.sleep(120)
atomic.os.fsync = stuck
atomic.write_bytes_atomic({str(project)!r}, b"x" * 5_000_000)
"""
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        (temporary,) = [p for p in project.parent.iterdir() if p.name.endswith(".tmp")]
        assert temporary.stat().st_size == 5_000_000
        os.utime(temporary, (HOUR_AGO, HOUR_AGO))  # old enough; only the lock protects it
        write(project, NEW)
        assert temporary.exists() and project.read_bytes() == NEW
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    write(project, OLD)
    assert not temporary.exists() and names(project.parent) == [project.name]


def test_a_save_in_this_process_is_left_alone_too(project: Path) -> None:
    """Locks are per open file, so a second thread saving the same target does not remove the first's file."""
    entered, release = threading.Event(), threading.Event()
    real_fsync = os.fsync
    errors: list[BaseException] = []

    def slow_fsync(fd: int) -> None:
        if threading.current_thread().name == "slow":
            entered.set()
            release.wait(30)
        real_fsync(fd)

    def slow_save() -> None:
        try:
            write_bytes_atomic(project, OLD * 3)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    atomic.os.fsync = slow_fsync  # type: ignore[attr-defined]
    try:
        thread = threading.Thread(target=slow_save, name="slow")
        thread.start()
        assert entered.wait(30)
        (temporary,) = [p for p in project.parent.iterdir() if p.name.endswith(".tmp")]
        os.utime(temporary, (HOUR_AGO, HOUR_AGO))
        write(project, NEW)
        assert temporary.exists()
        release.set()
        thread.join(30)
    finally:
        atomic.os.fsync = real_fsync  # type: ignore[attr-defined]
        release.set()
    assert not errors and project.read_bytes() == OLD * 3 and names(project.parent) == [project.name]


def test_concurrent_saves_leave_one_whole_version(project: Path) -> None:
    versions = [bytes([65 + i]) * (100_000 + i) for i in range(8)]
    errors: list[BaseException] = []

    def save(data: bytes) -> None:
        try:
            for _ in range(5):
                write(project, data)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(data,)) for data in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and project.read_bytes() in versions and names(project.parent) == [project.name]


# ------------------------------------------------------------------------------------------------ failed saves


def failing(error: int, message: str):
    def fail(*args, **kwargs):
        raise OSError(error, message)

    return fail


@pytest.mark.parametrize(
    ("function", "error", "reason"),
    [
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("fsync", errno.EIO, "Input/output error"),
        ("replace", errno.EXDEV, "Invalid cross-device link"),
        ("open", errno.EROFS, "the disk is read-only"),
        ("open", errno.EACCES, "permission denied"),
        ("open", errno.EDQUOT, "the disk quota is exceeded"),
    ],
)
def test_a_failed_save_leaves_the_old_file_and_no_temporary(
    project: Path, monkeypatch: pytest.MonkeyPatch, function: str, error: int, reason: str
) -> None:
    monkeypatch.setattr(atomic.os, function, failing(error, os.strerror(error)))
    with pytest.raises(SaveFailed, match=f"Could not save .*: {reason}. The previous file, if any, is unchanged"):
        write(project, NEW)
    monkeypatch.undo()
    assert project.read_bytes() == OLD and names(project.parent) == [project.name]


def test_a_write_that_fails_half_way_leaves_the_old_file(project: Path) -> None:
    """A real failure from the kernel: the file-size limit stops the write half-way (EFBIG)."""
    script = f"""
import resource, signal, sys
from lstm_desktop.core.store.project_file import SaveFailed, write
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))
try:
    write({str(project)!r}, b"y" * 200_000)
except SaveFailed as exc:
    print(exc)
    sys.exit(0)
sys.exit(1)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "the file is larger than this system allows" in done.stdout
    assert project.read_bytes() == OLD and names(project.parent) == [project.name]


def test_missing_folders_and_things_in_the_way_are_refused(project: Path) -> None:
    with pytest.raises(SaveFailed, match="the folder .* does not exist"):
        write(project.parent / "missing" / "x.lstmproj", NEW)
    (project.parent / "folder.lstmproj").mkdir()
    with pytest.raises(SaveFailed, match="a folder is in the way"):
        write(project.parent / "folder.lstmproj", NEW)
    if hasattr(os, "mkfifo"):
        os.mkfifo(project.parent / "pipe.lstmproj")
        with pytest.raises(SaveFailed, match="not a regular file"):
            write(project.parent / "pipe.lstmproj", NEW)
        assert stat.S_ISFIFO(os.stat(project.parent / "pipe.lstmproj").st_mode)
    expected = ["folder.lstmproj", "work.lstmproj"] + (["pipe.lstmproj"] if hasattr(os, "mkfifo") else [])
    assert project.read_bytes() == OLD and names(project.parent) == sorted(expected)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(project: Path) -> None:
    project.parent.chmod(0o555)
    try:
        with pytest.raises(SaveFailed, match="permission denied"):
            write(project, NEW)
    finally:
        project.parent.chmod(0o755)
    assert project.read_bytes() == OLD and names(project.parent) == [project.name]
