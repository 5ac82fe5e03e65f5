"""Pipelines whose local state agrees with the warehouse, after any crash.

dlt keeps a pipeline's state (our cursors) twice: in the local working folder, saved when an
extract finishes, and in the warehouse (`_dlt_pipeline_state`), committed with a load package.
dlt restores state from the warehouse only from a *completed* load (`_dlt_loads.status = 0`).

`open_recovered()` trusts the local state only when its version is the one of the last completed
load. Otherwise - a run killed after extract or in the middle of a load, a warehouse rebuilt, a
new machine - it drops the pending packages and the local folder, restores the committed state
from the warehouse, and deletes rows that loads which never completed wrote. The next extract
re-reads those rows from the committed cursors, so a killed run followed by a rerun leaves
exactly the source's rows (merge and replace are idempotent; append restarts after the last
committed id).
"""

from __future__ import annotations

from pathlib import Path

import dlt


def make_pipeline(pipeline_name: str, dataset: str, destination) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=pipeline_name,
        destination=destination.dlt_destination(),
        dataset_name=dataset,
        pipelines_dir=str(destination.pipelines_dir),
        progress=None,
    )


def _local_version(pipeline: dlt.Pipeline) -> int | None:
    if not (Path(pipeline.working_dir) / "state.json").exists():
        return None
    return pipeline.state.get("_state_version") or None  # 0: never extracted


def open_recovered(pipeline_name: str, dataset: str, destination, committed_version: int | None,
                   tables: list[str], dataset_exists: bool) -> tuple[dlt.Pipeline, dict]:
    """The pipeline, with state consistent with the warehouse, and what was repaired (if anything)."""
    pipeline = make_pipeline(pipeline_name, dataset, destination)
    recovery: dict = {}
    local_version = _local_version(pipeline)
    pending = pipeline.has_pending_data
    if pending or local_version != committed_version:
        if pending or local_version is not None:
            recovery["reason"] = "pending packages" if pending else (
                f"local state v{local_version} != warehouse v{committed_version}")
        pipeline.drop()
        pipeline = make_pipeline(pipeline_name, dataset, destination)
        if committed_version is not None:
            pipeline.sync_destination()
        if dataset_exists and recovery:
            removed = destination.remove_uncommitted_rows(dataset, tables)
            if removed:
                recovery["removed_rows"] = removed
    return pipeline, recovery
