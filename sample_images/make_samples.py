"""Regenerate the bundled sample images (see SOURCES.md for origins and licences).

Run from the repository root: ``python sample_images/make_samples.py``.
Copies public-domain / CC0 images shipped inside scikit-image's data folder,
downscaled so the longer side is at most 512 px (Lanczos), as JPEG (quality 90)
for photos and PNG for greyscale line art, and writes the synthetic test chart.
"""
from __future__ import annotations

from pathlib import Path

import make_test_chart
import numpy as np
import skimage.data
from PIL import Image

HERE = Path(__file__).resolve().parent
LONG_SIDE = 512

# output file -> scikit-image loader name (all checked: public domain or CC0)
PHOTOS = {
    "astronaut.jpg": "astronaut",
    "coffee.jpg": "coffee",
    "cat.jpg": "chelsea",
    "rocket.jpg": "rocket",
    "hubble_deep_field.jpg": "hubble_deep_field",
    "brick.jpg": "brick",
    "camera.png": "camera",
    "text.png": "text",
}


def main() -> None:
    for filename, loader in PHOTOS.items():
        array = np.asarray(getattr(skimage.data, loader)())
        im = Image.fromarray(array)
        if max(im.size) > LONG_SIDE:
            scale = LONG_SIDE / max(im.size)
            im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
        path = HERE / filename
        if filename.endswith(".jpg"):
            im.save(path, quality=90, optimize=True)
        else:
            im.save(path, optimize=True)
        print(f"{filename}: {im.size[0]}x{im.size[1]} {im.mode}, {path.stat().st_size:,} bytes")
    make_test_chart.main()


if __name__ == "__main__":
    main()
