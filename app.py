"""Layer Lab: see what Keras layers do to an image.

Entry point (``streamlit run app.py``): page config and navigation only. Each page in
``pages/`` draws the shared sidebar itself (``ui.sidebar.image_choice()``), because with
``st.navigation`` elements drawn here would not survive reruns in AppTest.
"""
from pathlib import Path

import streamlit as st

from ui import jobs, sessions, streamlit_patches

# Before TensorFlow loads (vizcore imports it lazily): its intra-op pool leaves one core free for
# the server's event loop and the other tabs (LAYERLAB_TF_THREADS overrides; ui/jobs.py).
jobs.limit_tensorflow_threads()

from vizcore import ImageError, ModelError  # noqa: E402 - after the thread limit above

ROOT = Path(__file__).resolve().parent

# Streamlit behaviour Layer Lab changes (guarded; reasons beside each patch in ui/streamlit_patches.py).
streamlit_patches.apply()
# Closed tabs give back their uploads, images and state after a grace period (once per process;
# LAYERLAB_SESSION_GRACE_S, see ui/sessions.py).
sessions.start()

st.set_page_config(page_title="Layer Lab", page_icon=":material/layers:", layout="wide",
                   initial_sidebar_state="expanded")


def _page(path: str, title: str, icon: str, **kwargs) -> st.Page | None:
    """A page entry, or None while its file does not exist yet (pages written separately)."""
    if not (ROOT / path).exists():
        return None
    return st.Page(path, title=title, icon=icon, **kwargs)


SECTIONS = {
    "Start": [
        _page("pages/home.py", "Home", ":material/home:", default=True),
    ],
    "Layer cheat sheet": [
        _page("pages/merging.py", "Merging layers", ":material/join_inner:"),
        _page("pages/pooling.py", "Pooling", ":material/grid_view:"),
        _page("pages/dense.py", "Dense", ":material/hub:"),
        _page("pages/conv2d.py", "Conv2D", ":material/filter_center_focus:"),
        _page("pages/conv2d_transpose.py", "Conv2DTranspose", ":material/open_in_full:"),
        _page("pages/activations.py", "Activations", ":material/show_chart:"),
        _page("pages/cheat_sheet.py", "Cheat sheet", ":material/dashboard:"),
    ],
    "Trained models": [
        _page("pages/trained_models.py", "Trained models", ":material/model_training:"),
        _page("pages/your_model.py", "Your model", ":material/upload_file:"),
    ],
}

pages = {section: [p for p in entries if p is not None] for section, entries in SECTIONS.items()}
page = st.navigation({section: entries for section, entries in pages.items() if entries})
st.session_state["_ll_page"] = page.url_path  # lets ui.state know which page is running
try:
    page.run()
except (ImageError, ModelError) as err:
    # Last safety net: a combination of settings and picture that a layer cannot take (e.g.
    # "valid" padding on a 1x1 upload) is the user's to change, so say so instead of a traceback.
    st.error(f"{err}\n\nChange the setting, or pick a larger picture in the sidebar.")
