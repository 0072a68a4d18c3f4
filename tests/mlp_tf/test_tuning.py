import csv

import keras
import matplotlib.image
import numpy as np
import pytest

from mlp_tf import MLPHyperModel, SearchSpace, make_tuner, plot_hyperparameter_effects, trials_table, write_trials_csv

SPACE = SearchSpace(units=(8, 16), depth=(1, 2), activation=("relu", "tanh"), dropout=(0.0,), lr=(1e-2, 1e-3),
                    batch_size=(16, 32), epochs=(1, 2))


def data(n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, 4, 4, 1)).astype("float32"), rng.integers(0, 3, n).astype("int32")


class CountingHyperModel(MLPHyperModel):
    """Counts fits and can be told to interrupt one, as Ctrl-C would."""

    def __init__(self, *args, interrupt_at=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fits = 0
        self.interrupt_at = interrupt_at

    def fit(self, hp, model, *args, **kwargs):
        self.fits += 1
        if self.fits == self.interrupt_at:
            raise KeyboardInterrupt
        return super().fit(hp, model, *args, **kwargs)


def search(tmp_path, max_trials, kind="random", space=SPACE, **kwargs):
    hypermodel = CountingHyperModel((4, 4, 1), 3, space, **kwargs)
    tuner = make_tuner(kind, hypermodel, tmp_path / "search", max_trials=max_trials, max_epochs=3, seed=1)
    tuner.search(*data(48, 0), validation_data=data(24, 1), verbose=0)
    return tuner, hypermodel


def test_space_validation_and_names():
    assert SPACE.names() == ["units", "depth", "activation", "lr", "batch_size", "epochs"]
    with pytest.raises(ValueError, match="unknown activation 'rleu'"):
        SearchSpace(activation=("rleu",))
    with pytest.raises(ValueError, match="units values must be at least 1"):
        SearchSpace(units=(0,))
    with pytest.raises(ValueError, match="needs at least one value"):
        SearchSpace(epochs=())


def test_hypermodel_chooses_network_and_fit_settings():
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    model = MLPHyperModel((4, 4, 1), 3, SPACE).build(hp)
    assert set(hp.values) == {"units", "depth", "activation", "dropout", "lr"}
    assert len([layer for layer in model.layers if layer.name.startswith("dense_")]) == hp.values["depth"]
    assert float(model.optimizer.learning_rate) == pytest.approx(hp.values["lr"])
    history = MLPHyperModel((4, 4, 1), 3, SPACE).fit(hp, model, *data(32, 0), verbose=0)
    assert hp.values["batch_size"] == 16 and len(history.history["loss"]) == hp.values["epochs"] == 1


def test_random_search_writes_trials_and_resumes_without_redoing_them(tmp_path):
    keras.utils.set_random_seed(0)
    tuner, hypermodel = search(tmp_path, max_trials=2)
    assert hypermodel.fits == 2
    rows = trials_table(tuner)
    assert [row["status"] for row in rows] == ["COMPLETED"] * 2
    assert all(0 <= row["val_accuracy"] <= 1 and row["val_loss"] > 0 for row in rows)
    assert all(row["score"] == row["val_accuracy"] for row in rows)
    assert all(1e-3 <= row["lr"] <= 1e-2 for row in rows)  # drawn log-uniformly between the bounds
    path = write_trials_csv(rows, tmp_path / "trials.csv")
    with open(path, newline="") as file:
        assert len(list(csv.DictReader(file))) == 2
    plot_hyperparameter_effects(rows, SPACE.names(), tmp_path / "effects.png")
    height, width = matplotlib.image.imread(tmp_path / "effects.png").shape[:2]
    assert len(SPACE.names()) > 4 and width / height < 2  # wrapped into rows of 4, not one long strip

    resumed, hypermodel = search(tmp_path, max_trials=3)
    assert hypermodel.fits == 1  # only the new trial
    assert [row["trial"] for row in trials_table(resumed)] == [row["trial"] for row in rows] + ["2"]


def test_an_interrupted_trial_is_retried_and_finished_ones_are_kept(tmp_path):
    keras.utils.set_random_seed(0)
    with pytest.raises(KeyboardInterrupt):
        search(tmp_path, max_trials=3, interrupt_at=2)
    tuner, hypermodel = search(tmp_path, max_trials=3)
    assert hypermodel.fits == 2  # the interrupted trial and the third, not the first
    assert [row["status"] for row in trials_table(tuner)] == ["COMPLETED"] * 3


def test_grid_search_walks_the_listed_values(tmp_path):
    space = SearchSpace(units=(8,), depth=(1,), activation=("relu", "tanh"), dropout=(0.0,), lr=(1e-2, 1e-3),
                        batch_size=(16,), epochs=(1,), continuous_lr=False)
    tuner, hypermodel = search(tmp_path, max_trials=10, kind="grid", space=space)
    rows = trials_table(tuner)
    assert hypermodel.fits == 4  # the grid is exhausted before max_trials
    assert {(row["activation"], row["lr"]) for row in rows} == {(a, lr) for a in ("relu", "tanh")
                                                                 for lr in (1e-2, 1e-3)}


def test_hyperband_gives_the_epochs_and_best_model_reloads(tmp_path):
    keras.utils.set_random_seed(0)
    tuner, _ = search(tmp_path, max_trials=None, kind="hyperband")
    rows = trials_table(tuner)
    assert rows and "epochs" not in rows[0]  # hyperband sets the epochs itself
    best = tuner.get_best_models(1)[0]
    x, y = data(24, 1)
    path = tmp_path / "best.keras"
    best.save(path)
    np.testing.assert_allclose(keras.models.load_model(path).evaluate(x, y, verbose=0), best.evaluate(x, y, verbose=0),
                               rtol=1e-6)


def test_unknown_tuner_is_named(tmp_path):
    with pytest.raises(ValueError, match="unknown tuner 'genetic'; valid: random, grid, bayesian, hyperband"):
        make_tuner("genetic", MLPHyperModel((4,), 3), tmp_path)
