"""Build the double-click bundle into dist/lstm-desktop/ and smoke-test it.

    python packaging/build.py            # build, then run the bundle's --self-test on a fresh profile
    python packaging/build.py --no-test  # build only

Prints the bundle's size (folder and compressed) and the self-test's output. Needs `pip install -e .[bundle]`
and the CPU build of torch.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
BUNDLE = DIST / "lstm-desktop"
EXECUTABLE = BUNDLE / ("lstm-desktop.exe" if sys.platform == "win32" else "lstm-desktop")


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def compressed_size(path: Path) -> int:
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "bundle.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(path, arcname=path.name)
        return archive.stat().st_size


def build() -> None:
    started = time.perf_counter()
    shutil.rmtree(BUNDLE, ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(ROOT / "build" / "pyinstaller"),
            str(ROOT / "packaging" / "lstm-desktop.spec"),
        ],
        check=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    print(f"built {BUNDLE} in {time.perf_counter() - started:.0f} s")


def self_test() -> int:
    """Run the frozen app's self-test with no network and a fresh profile; returns its exit code."""
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.update(
            {
                "HOME": home,
                "XDG_CONFIG_HOME": f"{home}/config",
                "XDG_CACHE_HOME": f"{home}/cache",
                "XDG_DATA_HOME": f"{home}/data",
                "QT_QPA_PLATFORM": "offscreen",
                "http_proxy": "http://127.0.0.1:9",
                "https_proxy": "http://127.0.0.1:9",
            }
        )
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(EXECUTABLE), "--self-test"],
            env=env,
            cwd=home,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert process.stdout is not None
        for line in process.stdout:
            if "window shown" in line:  # the self-test prints it once the main window is on screen
                print(f"launch to window shown: {time.perf_counter() - started:.2f} s")
            print(line, end="")
        code = process.wait(timeout=900)
        print(f"bundle self-test exit code {code} in {time.perf_counter() - started:.1f} s")
        return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-test", action="store_true", help="build only")
    parser.add_argument("--no-build", action="store_true", help="test the existing bundle")
    args = parser.parse_args()
    if not args.no_build:
        build()
    print(
        f"bundle folder: {folder_size(BUNDLE) / 2**20:.0f} MB; compressed (tar.gz): "
        f"{compressed_size(BUNDLE) / 2**20:.0f} MB"
    )
    return 0 if args.no_test else self_test()


if __name__ == "__main__":
    sys.exit(main())
