from __future__ import annotations

import pandas as pd

from smote_pipeline.core.oversample.data_docs import build_data_docs
from smote_pipeline.core.oversample.expectations import build_suite


def test_data_docs_site_is_built(tmp_path):
    real = pd.DataFrame(
        {"row_id": range(6), "x": [0, 1, 2, 3, 4, 5], "c": ["a", "b"] * 3, "label": [1] * 6}
    )
    suite = build_suite(real, "label", integer_columns="auto")
    synthetic = pd.DataFrame(
        {"row_id": [-1, -2], "x": [1.5, 9.0], "c": ["a", "z"], "label": [1, 1]}
    )
    index = build_data_docs(suite.to_json_dict(), synthetic, "label", tmp_path / "gx")
    assert index.exists()
    pages = list((index.parent / "validations").rglob("*.html"))
    assert pages, "no validation page rendered"
    text = pages[0].read_text()
    assert "expect_column_values_to_be_in_set" in text or "values must belong" in text
