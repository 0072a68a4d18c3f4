"""The GAN runs' figures: the progression GIF of a long run."""

import numpy as np
from PIL import Image

from lab_tf.figures import save_progress_gif


def test_a_long_runs_gif_keeps_evenly_spread_frames_from_the_first_epoch_to_the_last(tmp_path):
    paths = []
    for epoch in range(1, 121):  # each epoch's grid a solid grey level that names the epoch
        paths.append(tmp_path / f"epoch_{epoch:03d}.png")
        Image.fromarray(np.full((20, 20, 3), 2 * epoch, np.uint8)).save(paths[-1])
    gif = tmp_path / "progress.gif"
    save_progress_gif(paths, gif, [f"epoch {e}" for e in range(1, 121)], max_frames=12)
    shown = []
    with Image.open(gif) as animation:
        for index in range(animation.n_frames):
            animation.seek(index)
            shown.append(int(np.asarray(animation.convert("L"))[-1, -1]) // 2)  # below the caption strip
    # epoch round(k * 119 / 11) + 1 for k = 0..11
    assert shown == [1, 12, 23, 33, 44, 55, 66, 77, 88, 98, 109, 120]
    save_progress_gif(paths[:5], gif, [f"epoch {e}" for e in range(1, 6)], max_frames=12)
    with Image.open(gif) as animation:
        assert animation.n_frames == 5
