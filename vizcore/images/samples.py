"""The bundled sample images: their human names, the defaults, and the file behind a name.

Loading lives in the package (:func:`vizcore.images.load_sample`), which decodes each
file once per process. Imports only :mod:`vizcore.errors`.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ImageError

__all__ = ["SAMPLES_DIR", "DEFAULT_SAMPLE", "DEFAULT_OTHER_SAMPLE", "sample_names", "sample_file"]

#: Folder of the bundled sample images (see its SOURCES.md).
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "sample_images"

# Human name -> file in SAMPLES_DIR, in the order the app lists them.
_SAMPLES: dict[str, str] = {
    "Astronaut": "astronaut.jpg",
    "Coffee": "coffee.jpg",
    "Cat": "cat.jpg",
    "Rocket": "rocket.jpg",
    "Hubble deep field": "hubble_deep_field.jpg",
    "Camera man": "camera.png",
    "Brick wall": "brick.jpg",
    "Text": "text.png",
    "Test chart": "test_chart.png",
}
DEFAULT_SAMPLE = "Astronaut"
DEFAULT_OTHER_SAMPLE = "Coffee"


def sample_names() -> list[str]:
    """Human names of the bundled sample images, in display order (e.g. "Astronaut")."""
    return list(_SAMPLES)


def sample_file(name: str) -> Path:
    """The file of the sample called ``name``: human name, file stem or file name, any case.

    Raises ImageError listing the choices for an unknown name (or a non-string).
    """
    if isinstance(name, str):
        key = name.strip().lower()
        for human, filename in _SAMPLES.items():
            if key in (human.lower(), Path(filename).stem.lower(), filename.lower()):
                return SAMPLES_DIR / filename
    raise ImageError(f"There is no sample image called {name!r}; choose one of: {', '.join(_SAMPLES)}.")
