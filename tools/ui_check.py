"""Check the Dagster UI in a real browser: start the webserver, open pages, screenshot.

Usage::

    python tools/ui_check.py --home /tmp/dagster_home --out /tmp/ui [--materialize]

Starts ``dagster-webserver`` for ``smote_pipeline.definitions`` on 127.0.0.1
with ``DAGSTER_HOME=--home`` (optionally materializing the demo first with the
README's CLI command), opens the asset catalog, the asset graph and the pages
of the checked assets in headless Chromium (Debian's ``/usr/bin/chromium``
driven by Playwright), saves a PNG of each, and prints which assets and checks
each page showed. Exits non-zero when one is missing.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from smote_pipeline.core.oversample.realism.gating import GATES

CHROMIUM = os.environ.get("SMOTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
from smote_pipeline.core.vocabulary import DEFAULT_STRATEGIES  # noqa: E402

ASSETS = [
    "source",
    "raw_dataset",
    "training_set",
    "holdout_set",
    "denoised_training_set",
    "noise_quarantine",
    "minority_clusters",
    "synthetic_samples",
    "synthetic_realism",
    "augmented_training_set",
    "rejected_synthetic_samples",
    "candidate_screen",
    *(f"candidate__{strategy}" for strategy in DEFAULT_STRATEGIES),
    "candidate_models",
    "champion_model",
    "holdout_evaluation",
    "smote_report",
    "model_card",
    "promoted_model",
]
CHECKS = {
    "synthetic_samples": ["synthetic_expectations"],
    "holdout_set": ["holdout_isolation"],
    "synthetic_realism": list(GATES),
    "holdout_evaluation": ["smote_helped"],
    "promoted_model": ["promotion_gate"],
}

#: Asset groups of a pipeline (``<pipeline>_<group>``) the graph page must show.
GROUPS = ("ingest", "clean", "oversample", "train", "holdout", "serve")

#: Metadata an asset page must show (names or values).
METADATA = {
    "minority_clusters": ["GapClustering", "separation"],
    "synthetic_samples": ["rejected_pairs_by_reason", "empty_space", "bridge_guard"],
    "holdout_evaluation": ["recall_by_subpopulation", "hold-out positives"],
    "candidate_models": ["random_forest, hist_gradient_boosting, logistic_regression", "cv_brier"],
    "champion_model": ["family_average", "brier_check", "members"],
    "model_card": ["card", "synthetic_share", "training_fingerprint"],
    "promoted_model": ["decision", "versions", "promoted_version"],
    "holdout_set": ["rows_split_by_earlier_runs", "ledger_groups"],
}

#: Metadata values a user opens with a click (button text), and what they must show.
OPENED = {
    "model_card": (
        "[Show Markdown]",
        ["Intended use", "Quality on the real hold-out", "Known limitations"],
    ),
}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def materialize_demo(env: dict[str, str], cwd: Path) -> None:
    """Run the README's first command (without the install) in ``cwd``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "asset",
            "materialize",
            "-m",
            "smote_pipeline.definitions",
            "--select",
            "*",
        ],
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@contextmanager
def webserver(env: dict[str, str], cwd: Path, port: int) -> Iterator[str]:
    """A running dagster-webserver bound to 127.0.0.1; yields its base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster_webserver",
            "-m",
            "smote_pipeline.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise TimeoutError("dagster-webserver did not start within 120 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


#: One page to open: URL path, screenshot name, names it must show, button to click first.
Page = tuple[str, str, list[str], str]


def pipeline_pages(pipeline: str) -> list[Page]:
    """The pages of a trained pipeline: catalog, graph, checks, metadata, opened values."""
    pages: list[Page] = [
        ("/assets", "catalog", [f"{pipeline}/{a}" for a in ASSETS], ""),
        ("/asset-groups~*", "graph", [f"{pipeline}_{g}" for g in GROUPS], ""),
    ]
    pages += [
        (f"/assets/{pipeline}/{asset}?view=checks", f"{asset}_checks", checks, "")
        for asset, checks in CHECKS.items()
    ]
    pages.append(
        (
            f"/assets/{pipeline}/smote_report",
            "smote_report",
            [f"{pipeline}_holdout", "report"],
            "",
        )
    )
    pages += [(f"/assets/{pipeline}/{a}", a, shown, "") for a, shown in METADATA.items()]
    pages += [
        (f"/assets/{pipeline}/{a}", f"{a}_opened", shown, button)
        for a, (button, shown) in OPENED.items()
    ]
    return pages


#: What the scoring pages of a pipeline with a scored batch must show.
SCORING = {
    "scored_batch": ["model_fingerprint", "drift_detected", "predicted_positives"],
    "scored_batch_partitions": ["monday.csv", "tuesday.csv"],
    "scored_batch_checks": ["feature_drift", "score_drift", "label_performance"],
    "promoted_model": ["can_score_batches", "model_fingerprint", "promoted_version"],
    "sensors": ["score_sensor", "drift_sensor", "source_sensor"],
}


def scoring_pages(pipeline: str) -> list[Page]:
    """The pages of a pipeline that scored a batch: the batch, its partitions and
    drift checks, the promoted version, and the sensors."""
    paths = {
        "scored_batch": f"/assets/{pipeline}_serve/scored_batch",
        "scored_batch_partitions": f"/assets/{pipeline}_serve/scored_batch?view=partitions",
        "scored_batch_checks": f"/assets/{pipeline}_serve/scored_batch?view=checks",
        "promoted_model": f"/assets/{pipeline}/promoted_model",
        "sensors": "/automation",
    }
    return [(paths[n], f"scoring_{n}", shown, "") for n, shown in SCORING.items()]


def visit(url: str, out: Path, pipeline: str = "demo") -> dict[str, list[str]]:
    """Open the pages of ``pipeline``, save screenshots, and return the names each showed."""
    return browse(url, out, pipeline_pages(pipeline))


def browse(url: str, out: Path, pages: list[Page]) -> dict[str, list[str]]:
    """Open ``pages`` in headless Chromium, save a screenshot of each under ``out`` and
    return, by screenshot name, which of its wanted names each page showed."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # tall enough that the catalog renders every asset row of a pipeline (it is virtualized)
        page = browser.new_page(viewport={"width": 1600, "height": 3200})
        for path, name, wanted, click in pages:
            page.goto(f"{url}{path}", wait_until="domcontentloaded")
            if click:  # open what a user opens, e.g. a Markdown metadata value
                _settle(page, [click])
                _click(page, click)
            text = _settle(page, wanted)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            seen[name] = [w for w in wanted if w in text]
        browser.close()
    return seen


def _click(page: Any, text: str, attempts: int = 10) -> None:
    """Click the first element showing ``text``, closing a dialog that covers it
    (Escape, or "Skip" on a first visit) and trying again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        try:
            page.get_by_text(text).first.click(timeout=2000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            skip = page.get_by_role("button", name="Skip")
            if skip.count():
                skip.first.click()
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)


def _settle(page: Any, wanted: list[str], timeout: float = 20.0) -> str:
    """The page's HTML once it shows every name of ``wanted`` (or after ``timeout``
    seconds), then half a second more for the rest to render; closes the "Skip"
    dialog of a first visit on the way."""
    deadline = time.monotonic() + timeout
    while True:
        skip = page.get_by_role("button", name="Skip")
        if skip.count():
            skip.first.click()
        text = page.content()
        if all(w in text for w in wanted) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)
    return page.content()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="DAGSTER_HOME to use")
    parser.add_argument("--out", type=Path, required=True, help="folder for screenshots")
    parser.add_argument("--materialize", action="store_true", help="materialize the demo first")
    args = parser.parse_args()
    args.home.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(args.home.resolve())}
    env.pop("SMOTE_PIPELINE_CONFIG", None)
    cwd = args.home.resolve()
    if args.materialize:
        materialize_demo(env, cwd)
    with webserver(env, cwd, free_port()) as url:
        seen = visit(url, args.out)
    expected = {
        "catalog": len(ASSETS),
        "graph": len(GROUPS),
        "smote_report": 2,
        **{a: len(m) for a, m in METADATA.items()},
        **{f"{a}_opened": len(m) for a, (_, m) in OPENED.items()},
        **{f"{a}_checks": len(c) for a, c in CHECKS.items()},
    }
    ok = True
    for name, found in seen.items():
        print(f"{name}: {len(found)}/{expected[name]} shown: {', '.join(found)}")
        ok &= len(found) == expected[name]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
