"""report.py on tiny real runs of every family: sections, numbers equal to their files, byte-identical output,
runs side by side, limitations, bad input, and the HTML rendered in headless Chromium."""

import csv
import json
import re
import shutil

import keras
import numpy as np
import pytest
from PIL import Image

from helpers import assert_bad_input, load_script, run_script
from lab_tf.report import SECTIONS

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FAMILY_RUNS = {
    "dcgan": ("--model", "dcgan", "--dataset", "mnist", "--batch-size", "16", "--grid-size", "16", "--eval-every",
              "1", "--eval-n", "20"),
    "mlp": ("--model", "mlp", "--dataset", "digits", "--limit", "200", "--hidden", "16"),
    "vae": ("--model", "vae", "--dataset", "digits", "--limit", "64", "--batch-size", "32", "--latent-dim", "2",
            "--grid-size", "16"),
    "cyclegan": ("--model", "cyclegan", "--dataset", "mnist", "--target-dataset", "mnist-inverted", "--filters", "4",
                 "--residual-blocks", "1", "--batch-size", "8"),
    "srresnet": ("--model", "srresnet", "--dataset", "mnist", "--scale", "4", "--filters", "4", "--residual-blocks",
                 "1", "--batch-size", "8"),
    "stylegan": ("--model", "stylegan", "--dataset", "mnist", "--image-size", "16", "--latent-dim", "8", "--w-dim",
                 "8", "--filters", "4", "--max-filters", "8", "--batch-size", "8", "--grid-size", "16"),
}
# a figure only that family's report shows, and a phrase only its report says
OWN = {"dcgan": ("interpolation.png", "balance of the two players"),
       "mlp": ("confusion-matrix.png", "test_accuracy"), "vae": ("latent.png", "the test likelihood"),
       "cyclegan": ("real-domain-b.png", "**domain B**: `mnist-inverted`"),
       "srresnet": ("last.png", "| val_psnr |"),
       "stylegan": ("samples-style-mix.png", "Style mixing")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_data, keras_home):
    """One epoch of each family on tiny data (the dcgan scored every epoch and resumed to two), and a 2-trial search.

    The scored run is on the tiny MNIST file, whose evaluation classifier trains in a second, not on the digits."""
    root = tmp_path_factory.mktemp("report-runs")
    train = load_script("train.py")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_HOME", str(keras_home))
        for name, args in FAMILY_RUNS.items():
            assert train.main([*args, "--data-dir", str(tiny_data), "--epochs", "1", "--out-dir",
                               str(root / name)]) == 0, name
        assert train.main(["--resume", "--out-dir", str(root / "dcgan"), "--epochs", "2"]) == 0
        assert train.main(["--model", "mlp", "--dataset", "digits", "--limit", "200", "--epochs", "1", "--tune",
                           "random", "--max-trials", "2", "--space", "units=8,16", "--space", "depth=1", "--space",
                           "epochs=1", "--space", "batch_size=32", "--out-dir", str(root / "search")]) == 0
    return root


@pytest.fixture(scope="module")
def report(runs, tmp_path_factory, keras_home):
    """``report(*run names, search=None) -> (markdown text, out dir)``, written in this process."""
    script = load_script("report.py")

    def write(*names, search=None, out=None):
        out = out or tmp_path_factory.mktemp("report")
        args = [str(runs / name) for name in names] + ["--out", str(out)]
        if search:
            args += ["--search", str(runs / search)]
        assert script.main(args) == 0
        return (out / "report.md").read_text(), out

    return write


def table_rows(markdown, caption):
    """The body rows (lists of cells) of the Markdown table under the bold ``caption``."""
    block = markdown.split(f"**{caption}**", 1)[1].split("\n\n")[1]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in block.splitlines()[2:]]


def close(text, value):
    """Whether a number printed to 4 significant digits is ``value``."""
    return np.isclose(float(text), value, rtol=5e-4, atol=1e-12)


@pytest.mark.parametrize("name", FAMILY_RUNS)
def test_every_family_gives_a_report_with_its_sections(report, runs, name):
    markdown, out = report(name)
    headings = re.findall(r"^## (.+)$", markdown, re.M)
    assert headings == [s for s in SECTIONS if s != "Runs side by side"]
    figure, phrase = OWN[name]
    assert f"images/run1-{figure}" in markdown and phrase in markdown
    for path in re.findall(r"\]\((images/[^)]+)\)", markdown):
        with Image.open(out / path) as image:
            assert image.width > 8 and image.height > 8
    parameters = re.search(r"\*\*`[a-z_]+\.keras`: ([\d,]+) parameters", markdown).group(1)
    first = sorted(p for p in (runs / name).glob("*.keras") if "_best" not in p.name)[0]
    assert int(parameters.replace(",", "")) == keras.models.load_model(first).count_params()


def test_numbers_equal_their_files(report, runs, tiny_data):
    markdown, _ = report("dcgan", search="search")
    best = json.loads((runs / "dcgan" / "metrics" / "best.json").read_text())
    evaluation = {row[0]: row[1] for row in table_rows(markdown, "From the best epoch of `--eval-every` "
                                                                "(`metrics/best.json`)")}
    for key in ("fid", "kid", "precision", "recall", "classes_covered"):
        assert close(evaluation[key], best[key]), key
    assert f"n_real {best['n_real']}, n_fake {best['n_fake']}, split {best['split']}, extractor " \
           f"{best['extractor']}" in markdown
    assert "n_fake = 20 is below 10,000" in markdown
    with open(runs / "dcgan" / "history.csv") as file:
        history = list(csv.DictReader(file))
    shown = table_rows(markdown, "History (`history.csv`)")
    header = markdown.split("**History (`history.csv`)**", 1)[1].split("\n\n")[1].splitlines()[0]
    columns = [cell.strip() for cell in header.strip("|").split(" | ")]
    assert [row[0] for row in shown] == [row["epoch"] for row in history]
    for row, source in zip(shown, history):
        for column, cell in zip(columns, row):
            assert close(cell, float(source[column])), column
    assert "resumed after epoch(s) 1" in markdown
    with np.load(tiny_data / "mnist.npz") as arrays:
        counts = [np.bincount(arrays[f"y_{split}"], minlength=10).tolist() for split in ("train", "test")]
    assert [[int(row[1]) for row in table_rows(markdown, "Class histogram")],
            [int(row[2]) for row in table_rows(markdown, "Class histogram")]] == counts
    with open(runs / "search" / "trials.csv") as file:
        trials = list(csv.DictReader(file))
    rows = table_rows(markdown, "Trials (`trials.csv`)")
    assert len(rows) == len(trials) == 2
    assert [row[0] for row in rows] == [trial[next(iter(trial))] for trial in trials]
    searched = json.loads((runs / "search" / "metrics.json").read_text())
    assert f"Best: trial #{int(searched['best_trial']) + 1} of 2" in markdown


def test_the_same_inputs_give_byte_identical_files(report, runs, tmp_path):
    _, first = report("dcgan", "mlp", search="search", out=tmp_path / "one")
    _, second = report("dcgan", "mlp", search="search", out=tmp_path / "two")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) > 10
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for path in files:
        assert (first / path).read_bytes() == (second / path).read_bytes(), path
    report("dcgan", out=first)  # a report folder is rewritten whole: the mlp's images are gone
    assert not list((first / "images").glob("run2-*"))


def test_runs_side_by_side_with_their_warnings(report, runs, tmp_path):
    other = tmp_path / "dcgan-other"
    shutil.copytree(runs / "dcgan", other)
    best = other / "metrics" / "best.json"
    best.write_text(json.dumps({**json.loads(best.read_text()), "extractor": "0123456789ab"}))
    markdown, out = load_report(runs / "dcgan", other, tmp_path / "report")
    rows = table_rows(markdown, "The last epoch of each run and its evaluation")
    assert [row[0] for row in rows] == ["dcgan", "dcgan-other"]
    assert "different extractors (0123456789ab, " in markdown
    assert "### dcgan-other (dcgan)" in markdown and "the same data as `dcgan`" in markdown
    with Image.open(out / "images" / "side-by-side.png") as figure:
        assert figure.width > 500


def load_report(*paths):
    *runs, out = paths
    assert load_script("report.py").main([*map(str, runs), "--out", str(out)]) == 0
    return (out / "report.md").read_text(), out


def test_what_went_wrong_is_in_the_limitations(runs, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(runs / "mlp", broken)
    history = (broken / "history.csv").read_text().splitlines()
    cells = history[1].split(",")
    history[1] = ",".join([cells[0], "nan", *cells[2:]])
    (broken / "history.csv").write_text("\n".join(history) + "\n")
    (broken / "metrics.json").unlink()
    (broken / "curves.png").unlink()
    config = json.loads((broken / "config.json").read_text())
    config["training"]["epochs"] = 4
    (broken / "config.json").write_text(json.dumps(config))
    markdown, _ = load_report(broken, tmp_path / "report")
    limitations = markdown.split("## Limitations and notes", 1)[1]
    assert "non-finite values (NaN or infinity) in epoch(s) 1" in limitations
    assert "stopped after 1 of 4 planned epochs" in limitations
    assert "no image-quality or test metrics" in limitations
    assert "No evaluation file (`metrics.json`)" in markdown and "`curves.png` is missing" in markdown
    assert "images/run1-curves.png" not in markdown


def test_bad_input_is_one_line_and_nothing_is_overwritten(runs, tmp_path, capsys):
    script = load_script("report.py")
    kept = tmp_path / "mine"
    kept.mkdir()
    (kept / "notes.txt").write_text("my notes")
    for args, phrase in (([str(tmp_path)], "is not a run directory (no config.json)"),
                         ([str(runs / "mlp"), "--search", str(runs / "mlp")], "is not a search directory"),
                         ([str(runs / "mlp"), "--out", str(runs / "mlp")], "is a run directory"),
                         ([str(runs / "mlp"), "--out", str(kept)], "holds other files (notes.txt)")):
        if "--out" not in args:
            args += ["--out", str(tmp_path / "never")]
        assert script.main(args) == 2
        errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and phrase in errors[0], errors
    assert not (tmp_path / "never").exists() and (kept / "notes.txt").read_text() == "my notes"
    assert sorted(p.name for p in kept.iterdir()) == ["notes.txt"]
    assert_bad_input(run_script("report.py", tmp_path, "--out", tmp_path / "never"), "is not a run directory")


def test_the_page_renders_in_headless_chromium(report, runs, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    _, out = report("dcgan", "stylegan", search="search", out=tmp_path / "report")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        browser.get((out / "report.html").as_uri())
        widths = browser.execute_script("return Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
        headings = browser.execute_script("return Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
        fetched = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
        browser.save_screenshot(str(tmp_path / "page.png"))
        browser.set_window_size(390, 844)  # a phone: nothing wider than the screen but the tables' own scrollers
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    finally:
        browser.quit()
    assert len(widths) >= 10 and min(widths) > 0, widths
    assert headings == list(SECTIONS)
    assert not [name for name in fetched if not name.startswith("data:")], fetched  # nothing from a network
    assert overflow <= 0
    with Image.open(tmp_path / "page.png") as page:
        pixels = np.asarray(page.convert("L"))
    assert pixels.std() > 20 and (pixels < 100).mean() > 0.01  # text and figures, not a blank page
