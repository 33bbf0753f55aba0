"""One thin DAG file per pipeline file, so that one invalid program never hides the others.

Airflow records import errors per DAG file, and an import error marks every DAG of that file stale. A
single DAG file for every program would therefore take every program down with one bad YAML file. So
`dags/<name>.py` stands for `pipelines/<name>.yaml` alone: it builds that program's DAGs or fails with
the file, field and problem, which Airflow shows as an import error for that DAG file only.
`listening dags` writes the DAG file of every pipeline file that has none.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from listening.config import ProgramConfigError, load_program
from listening.settings import PROJECT_ROOT, get_settings

if TYPE_CHECKING:
    from airflow.sdk import DAG

MARKER = "# Written by `listening dags`"

DAG_FILE_TEMPLATE = f'''{MARKER} for the pipeline file `{{name}}.yaml`: wiring only.
"""Airflow DAGs of one listening program. An invalid pipeline file is an import error of this file alone."""

from __future__ import annotations

from listening.dag_files import dags_of_dag_file

globals().update(dags_of_dag_file(__file__))
'''


def dags_folder() -> Path:
    """Airflow's DAGs folder: `AIRFLOW__CORE__DAGS_FOLDER`, else the project's `dags/`."""
    configured = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER")
    return Path(configured) if configured else PROJECT_ROOT / "dags"


def dag_file_for(pipeline: Path, dags_dir: Path) -> Path:
    return dags_dir / f"{pipeline.stem}.py"


def pipeline_for(dag_file: str | Path, pipelines_dir: Path | None = None) -> Path:
    return (pipelines_dir or get_settings().pipelines_dir) / f"{Path(dag_file).stem}.yaml"


def dag_file_text(pipeline: Path) -> str:
    return DAG_FILE_TEMPLATE.format(name=pipeline.stem)


def _valid_program_id(path: Path) -> str | None:
    try:
        return load_program(path).program
    except ProgramConfigError:
        return None


def dags_of_dag_file(dag_file: str) -> dict[str, DAG]:
    """The DAGs of the pipeline file a DAG file stands for; `ProgramConfigError` if it cannot be used.

    A program id already used by a valid pipeline file earlier in name order is an error of the later
    file, so the earlier program keeps its DAGs.
    """
    from listening.orchestration import program_dags

    path = pipeline_for(dag_file)
    if not path.is_file():
        raise ProgramConfigError(
            f"{path}: no such pipeline file for the DAG file {Path(dag_file).name}; restore the pipeline "
            "file or delete the DAG file"
        )
    program = load_program(path)
    for other in sorted(path.parent.glob("*.yaml")):
        if other.name >= path.name:
            break
        if _valid_program_id(other) == program.program:
            raise ProgramConfigError(f"{path}: program id {program.program!r} is already used by {other}")
    return program_dags(program, path)


def write_dag_files(pipelines_dir: Path | None = None, dags_dir: Path | None = None) -> list[Path]:
    """Write the DAG file of every pipeline file that has none; returns the files written."""
    pipelines_dir = pipelines_dir or get_settings().pipelines_dir
    dags_dir = dags_dir or dags_folder()
    dags_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for pipeline in sorted(pipelines_dir.glob("*.yaml")):
        target = dag_file_for(pipeline, dags_dir)
        if not target.exists():
            target.write_text(dag_file_text(pipeline), encoding="utf-8")
            written.append(target)
    return written


def orphan_dag_files(pipelines_dir: Path | None = None, dags_dir: Path | None = None) -> list[Path]:
    """DAG files written by `listening dags` whose pipeline file is gone (each is an import error)."""
    pipelines_dir = pipelines_dir or get_settings().pipelines_dir
    dags_dir = dags_dir or dags_folder()
    return [
        path
        for path in sorted(dags_dir.glob("*.py"))
        if MARKER in path.read_text(encoding="utf-8") and not pipeline_for(path, pipelines_dir).exists()
    ]
