"""vizcore: the pure-compute engine behind Layer Lab.

Turns an image into what Keras layers make of it. Never imports streamlit, so
everything here works from a notebook::

    import vizcore
    img = vizcore.load_image("photo.jpg")
    vizcore.merge("Add", img, img, space="hsv").image

Each topic lives in its own module and names its public API in ``__all__``;
this package re-exports them all. Intake and colour spaces (NumPy, Pillow) load
at once; the Keras-backed modules (``layers``, ``sheet``) load on first use, so
``import vizcore`` stays quick and a page that only shows images never pays
TensorFlow's multi-second import.
"""
import importlib
import os

# TensorFlow's C++ start-up chatter is noise for our users; set before TF is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from .color import *  # noqa: E402,F401,F403
from .color import __all__ as _color_all  # noqa: E402
from .errors import *  # noqa: E402,F401,F403
from .errors import __all__ as _errors_all  # noqa: E402
from .images import *  # noqa: E402,F401,F403
from .images import __all__ as _images_all  # noqa: E402

__version__ = "0.1.0"

# Modules whose public names are re-exported on first access (they import TensorFlow).
_LAZY_MODULES = ("layers", "sheet")
# Submodules reachable as attributes (``vizcore.features``) without an explicit import.
_SUBMODULES = ("layers", "sheet", "models", "features")

__all__ = [*_errors_all, *_images_all, *_color_all]


def _lazy_module(name):
    return importlib.import_module(f".{name}", __name__)


def __getattr__(name):
    """Resolve a public name of a Keras-backed module, importing it on first use."""
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _SUBMODULES:
        return _lazy_module(name)
    for module_name in _LAZY_MODULES:
        module = _lazy_module(module_name)
        if name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'vizcore' has no attribute {name!r}")


def __dir__():
    names = set(globals())
    for module_name in _LAZY_MODULES:
        names.update(getattr(_lazy_module(module_name), "__all__", ()))
    return sorted(names)
