"""Dense: one Dense layer on every pixel, and a fully connected Flatten → Dense → Reshape."""
import streamlit as st

from ui import compute

compute.load_tensorflow()  # the first layer page after a server start says why it takes a while

from ui import controls, inspector, panels, state  # noqa: E402 - after the TensorFlow spinner
from ui.sidebar import image_choice  # noqa: E402
from vizcore.layers import ACTIVATION_INFO  # noqa: E402

DEFAULT_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softplus")
UNITS = tuple(range(1, 9))
FC_SIZES = (8, 16, 24, 32, 48, 64)


def per_pixel_controls() -> tuple[str, int, int, list[str]]:
    cols = st.columns([2, 1, 1], gap="medium")
    space = controls.space_control(
        cols[0], default="luminance",
        help_text="The channels each pixel brings to the layer: 1 in luminance, 3 otherwise.")
    units = cols[1].select_slider(
        "Units", UNITS, help="Outputs per pixel (Dense(units)). Each unit is one output map; all are shown.",
        **state.page_bind("units", 1, choices=UNITS, cast=int))
    seed = controls.seed_control(
        cols[2], help_text="Seed of the GlorotUniform initialiser: the same seed always gives the same random weights.")
    names = controls.activations_control(
        default=DEFAULT_ACTIVATIONS,
        help_text="Each activation gets its own panel: the same Dense weights, a different non-linearity after them.")
    return space, units, seed, names


state.enter_page("dense")
choice = image_choice(second=False)
panels.page_header(
    "Dense",
    "A `Dense` layer computes `activation(x · W + b)` on the **last axis** of its input. On an image "
    "of shape (H, W, C) that axis is the channels, so the same small weight matrix (C × units) is "
    "applied to **every pixel on its own** — like a 1×1 convolution. Only after `Flatten` does Dense "
    "connect every pixel to every output.",
    choice,
)
st.subheader("Per pixel: Dense on the channels")
space, units, seed, names = per_pixel_controls()
display = controls.display_control()
if not names:
    st.info("Pick at least one activation above.")
with st.spinner("Running Dense…"):
    views = [compute.dense(choice.key, a, seed, units, space, choice.image, display=display) for a in names]
per_row = 5 if len(views) > 4 else max(len(views), 1)
for start in range(0, len(views), per_row):
    cols = st.columns(per_row, gap="small")
    for col, name, view in zip(cols, names[start:start + per_row], views[start:start + per_row]):
        with col:
            panels.show_view(view, key=f"dense-{name}", compact=True)
            st.caption(ACTIVATION_INFO[name])
if units > 1 and views:
    with st.expander(f"All {units} output maps of “{names[0]}”"):
        panels.show_maps(views[0], columns=min(units, 4), key="dense-maps")
if inspector.opened():
    inspector.dense_section(choice.image, image_key=choice.key, activations=names, seed=seed, units=units, space=space)

st.divider()


@st.fragment
def fully_connected(space: str, seed: int, units: int, display: str) -> None:
    """The fully connected section; its own controls rerun only this part of the page."""
    st.subheader("Fully connected: Flatten → Dense → Reshape")
    cols = st.columns([1, 1, 1], gap="medium")
    size = cols[0].select_slider(
        "Image size (side, px)", FC_SIZES,
        help="The image is shrunk to size × size first. The weight matrix has size²·C rows (inputs) and "
             "size² columns (one output per pixel), so it explodes with the size: 64×64 RGB needs 50 million.",
        **state.page_bind("fc_size", 32, choices=FC_SIZES, cast=int))
    fc_act = controls.activation_control(cols[1], name="fc_act", default="linear",
                                         help_text="Applied after the fully connected Dense layer.")
    with st.spinner("Building a fully connected layer…"):
        fc = compute.dense_fully_connected(choice.key, fc_act, seed, size, space, choice.image, display=display)
        pixel = compute.dense(choice.key, "linear", seed, units, space, choice.image)
    left, right = st.columns([1, 1], gap="large")
    with left:
        panels.show_view(fc, key="fc")
    with right:
        # One above the other: side by side their labels are cut at 1024×768.
        st.metric("Per-pixel Dense parameters", f"{pixel.params:,}",
                  help="C·units weights + units biases, shared by every pixel.")
        st.metric("Fully connected parameters", f"{fc.params:,}",
                  help="size²·C inputs × size² outputs weights + one bias per output.")
        st.markdown(
            f"**Why so different?** Per pixel, Dense only mixes one pixel's {1 if space == 'luminance' else 3} "
            f"channel value(s), and the same weights are reused at all "
            f"{choice.image.shape[0] * choice.image.shape[1]:,} "
            f"pixels: {pixel.params:,} parameters whatever the image size. After `Flatten`, every one of the "
            f"{size}×{size} output values has its own weight for every input value, so the count grows with "
            f"the **square** of the number of pixels. That is why networks use convolutions (local, shared "
            f"weights) on images and keep fully connected layers for small inputs at the end."
        )


fully_connected(space, seed, units, display)
