"""great-expectations Data Docs for the synthetic-row suite, built on request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from smote_pipeline.core.oversample.expectations import suite_frame


def build_data_docs(
    suite_json: dict[str, Any], synthetic: pd.DataFrame, target: str, folder: str | Path
) -> Path:
    """Validate ``synthetic`` against a stored suite and render GX Data Docs.

    Creates a small file-backed GX project under ``folder`` (suite, validation result
    and a static HTML site), so the suite a run used can be read, edited and re-run
    outside the pipeline.

    Parameters
    ----------
    suite_json : dict
        The suite as stored by the ``synthetic_expectations`` check (its ``suite``
        metadata) or :func:`~smote_pipeline.core.oversample.expectations.suite_to_json`.
    synthetic : pandas.DataFrame
        The ``synthetic_samples`` rows.
    target : str
    folder : str or pathlib.Path
        Where the GX project and the site go.

    Returns
    -------
    pathlib.Path
        The site's ``index.html``.
    """
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    folder = Path(folder).resolve()
    site = folder / "data_docs"
    context = _project(folder, site)
    definition = json.loads(json.dumps(suite_json))
    definition.pop("id", None)
    suite = context.suites.add(gx.ExpectationSuite(**definition))
    batch_definition = (
        context.data_sources.add_pandas("synthetic")
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("all")
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(data=batch_definition, suite=suite, name="synthetic_rows")
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name="synthetic_realism",
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="data_docs", site_names=["smote_pipeline"])],
        )
    )
    checkpoint.run(batch_parameters={"dataframe": suite_frame(synthetic, suite, target)})
    return site / "index.html"


def _project(folder: Path, site: Path) -> Any:
    """A file-backed GX project in ``folder`` with one static Data Docs site at ``site``."""
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=str(folder))
    context.add_data_docs_site(
        "smote_pipeline",
        {
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context
