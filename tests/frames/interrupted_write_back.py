"""A blocking write-back interrupted half-way by Ctrl+C, run as its own process by
``test_writeback.py``: a real SIGINT, with Polars imported first as in any analysis script (Polars
takes SIGINT over). Reads ``ZENOO_INTERRUPT_*`` from the environment; prints one JSON line."""

from __future__ import annotations

import json
import os
import signal
import time

import polars as pl

import zenoo_frames
from zenoo import Client

INTERRUPT_AFTER = 3  # requests


def main() -> None:
    env = os.environ
    ids = [int(i) for i in env["ZENOO_INTERRUPT_IDS"].split(",")]
    with Client(env["ZENOO_INTERRUPT_URL"]) as client:
        client.login(env["ZENOO_INTERRUPT_DB"], env["ZENOO_INTERRUPT_LOGIN"], env["ZENOO_INTERRUPT_PASSWORD"])
        original = client.model("res.partner").filter(id__in=ids).only("color").to_polars(progress=False)
        done: list[int] = []

        def progress(records: int, total: int, request: object) -> None:
            if request is None:  # the rollback's progress, once interrupted
                return
            done.append(records)
            if len(done) == INTERRUPT_AFTER:
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C
                time.sleep(0.5)  # the write-back's loop waits here: the interrupt lands mid-way

        changes = zenoo_frames.diff(original, original.with_columns(pl.col("color") + 1))
        try:
            changes.apply(client, rows_per_call=10, progress=progress)
        except KeyboardInterrupt:
            print(json.dumps({"interrupted": True, "requests_done": len(done)}))
        else:
            print(json.dumps({"interrupted": False, "requests_done": len(done)}))


if __name__ == "__main__":
    main()
