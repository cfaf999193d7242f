"""The command that scores batches once: which batch a name means, and its refusals."""

from __future__ import annotations

import importlib
import os

import pytest

from smote_pipeline.cli.score import main
from smote_pipeline.core.ingest.sources import Source
from smote_pipeline.core.serve.batches import batch_key


def test_a_batch_is_named_by_its_key_or_by_the_path_of_its_file(tmp_path, monkeypatch):
    folder = tmp_path / "new_rows"
    (folder / "2026-12").mkdir(parents=True)
    (folder / "2026-12" / "monday.csv").write_text("a,b\n1,2\n")
    source = Source(str(folder))
    assert batch_key(source, "2026-12/monday.csv") == "2026-12/monday.csv"
    assert batch_key(source, str(folder / "2026-12" / "monday.csv")) == "2026-12/monday.csv"
    monkeypatch.chdir(tmp_path)
    assert batch_key(source, "new_rows/2026-12/monday.csv") == "2026-12/monday.csv"
    (tmp_path / "elsewhere.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"'elsewhere.csv' is not a batch .*2026-12/monday.csv"):
        batch_key(source, "elsewhere.csv")


def test_a_pipeline_without_a_score_source_is_refused_by_name(capsys, monkeypatch):
    import smote_pipeline.definitions as module

    for name in [k for k in os.environ if k.startswith("SMOTE_PIPELINE_")]:
        monkeypatch.delenv(name)
    importlib.reload(module)  # the demo alone
    assert main(["demo"]) == 2
    assert "Pipeline 'demo' has no `score_source`" in capsys.readouterr().err
    assert main(["nowhere"]) == 2
    assert "No pipeline 'nowhere' is loaded (pipelines: demo)" in capsys.readouterr().err
