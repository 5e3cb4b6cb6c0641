"""vizcore: the pure-compute engine behind Layer Lab.

Turns an image into what Keras layers make of it. Never imports streamlit, so
everything here works from a notebook::

    import vizcore
    img = vizcore.load_image("photo.jpg")
    vizcore.merge("Add", img, img, space="hsv").image

Each topic lives in its own module and names its public API in ``__all__``;
this package re-exports them all.
"""
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all
from .images import *  # noqa: F401,F403
from .images import __all__ as _images_all
from .color import *  # noqa: F401,F403
from .color import __all__ as _color_all
from .layers import *  # noqa: F401,F403
from .layers import __all__ as _layers_all
from .sheet import *  # noqa: F401,F403
from .sheet import __all__ as _sheet_all

__all__ = [*_errors_all, *_images_all, *_color_all, *_layers_all, *_sheet_all]
__version__ = "0.1.0"
