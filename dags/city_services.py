# Written by `listening dags` for the pipeline file `city_services.yaml`: wiring only.
"""Airflow DAGs of one listening program. An invalid pipeline file is an import error of this file alone."""

from __future__ import annotations

from listening.dag_files import dags_of_dag_file

globals().update(dags_of_dag_file(__file__))
