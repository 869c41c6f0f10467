"""Records the runs of the alert corpus (fixtures/runs/corpus.json) through the real monitor.

Usage: /usr/bin/python3 test/audit/corpus/record_corpus.py [--only RUN ...] [--force] [--keep-raw DIR]

For every run in the manifest whose fixture file is missing (or every listed one with --force):
starts `sentrycam watch --no-engine --record TMP --listen tcp://127.0.0.1:PORT --headless --json
--alerts-only --exit-on-end`, waits until the port accepts connections, runs the run's trainer
against it (the PyTorch trainer test/audit/corpus/train_run.py through the Python client, the tfjs
demo's src/demo/train-child.ts through the Node producer, or the older test/audit/torch_run.py),
waits for both to exit, then thins the recording to the samples whose id is a multiple of the
run's `every` and gzips it into fixtures/runs (src/tools/thin-recording.ts). Runs go one after
another: the machine has two cores. The alert rule plays no part here; the manifest's `part`
(design or held-out) was fixed when the run was added, before any alert was looked at.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
RUNS = os.path.join(ROOT, "fixtures", "runs")
MANIFEST = os.path.join(RUNS, "corpus.json")
PYTHON = "/usr/bin/python3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, monitor: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if monitor.poll() is not None:
            raise RuntimeError(f"the monitor exited with {monitor.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the monitor did not listen on port {port} within {timeout} s")


def trainer_command(entry: dict, address: str) -> list:
    trainer = entry["trainer"]
    args = [str(a) for a in entry["args"]]
    if trainer == "torch":
        return [PYTHON, os.path.join(HERE, "train_run.py"), address, "--run", entry["run"], *args]
    if trainer == "torch-legacy":
        return [PYTHON, os.path.join(ROOT, "test", "audit", "torch_run.py"), address, "--run", entry["run"], *args]
    if trainer == "tfjs-demo":
        return ["node", "--import", "tsx", os.path.join(ROOT, "src", "demo", "train-child.ts"), "--address", address, "--run", entry["run"], *args]
    raise ValueError(f"unknown trainer {trainer!r}")


def record(entry: dict, keep_raw: str | None) -> None:
    tmp = tempfile.mkdtemp(prefix="scam-corpus-")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    monitor = subprocess.Popen(
        ["node", os.path.join(ROOT, "bin", "sentrycam.js"), "watch", "--no-engine", "--record", tmp, "--listen", address,
         "--headless", "--json", "--alerts-only", "--exit-on-end"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, monitor)
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "clients", "python"))
        t0 = time.time()
        trained = subprocess.run(trainer_command(entry, address), cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        log = trained.stdout
        sys.stdout.write(log)
        if trained.returncode != 0:
            raise RuntimeError(f"trainer of {entry['run']} exited with {trained.returncode}")
        _, err = monitor.communicate(timeout=120)
        if monitor.returncode != 0:
            raise RuntimeError(f"monitor exited with {monitor.returncode}: {err.strip()[-500:]}")
        files = [f for f in os.listdir(tmp) if f.endswith(".scamrec")]
        if len(files) != 1:
            raise RuntimeError(f"expected one recording in {tmp}, found {files}")
        raw = os.path.join(tmp, files[0])
        if keep_raw:
            os.makedirs(keep_raw, exist_ok=True)
            shutil.copy(raw, os.path.join(keep_raw, files[0]))
        out = os.path.join(RUNS, entry["file"])
        subprocess.run(["npx", "tsx", os.path.join("src", "tools", "thin-recording.ts"), raw, out, "--every", str(entry.get("every", 1))],
                       cwd=ROOT, check=True)
        print(f"recorded {entry['run']} in {time.time() - t0:.0f} s: {os.path.getsize(raw)} raw -> {os.path.getsize(out)} bytes", flush=True)
    finally:
        if monitor.poll() is None:
            monitor.kill()
            monitor.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", default=None, help="run names to record")
    ap.add_argument("--force", action="store_true", help="re-record runs whose fixture exists")
    ap.add_argument("--keep-raw", default=None, help="also keep the unthinned recordings in this folder")
    args = ap.parse_args()
    with open(MANIFEST) as f:
        manifest = json.load(f)
    for entry in manifest["runs"]:
        if args.only is not None and entry["run"] not in args.only:
            continue
        if os.path.exists(os.path.join(RUNS, entry["file"])) and not args.force:
            continue
        print(f"== {entry['run']} ({entry['trainer']} {' '.join(map(str, entry['args']))})", flush=True)
        record(entry, args.keep_raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
