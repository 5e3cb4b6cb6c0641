"""Activations: each activation's curve beside its effect on the image."""
import streamlit as st

from ui import compute

compute.load_tensorflow()  # the first layer page after a server start says why it takes a while

from ui import controls, panels, state  # noqa: E402 - after the TensorFlow spinner
from ui.sidebar import image_choice  # noqa: E402
from vizcore.layers import ACTIVATION_INFO, ACTIVATIONS  # noqa: E402

LAYERS = ("Conv2D 3×3", "Dense per pixel")
DEFAULT_SET = ("linear", "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softplus")


def activation_controls() -> tuple[str, str, int, list[str]]:
    cols = st.columns([2, 2, 1], gap="medium")
    layer = cols[0].segmented_control(
        "Layer before the activation", LAYERS, required=True, wrap=True,
        help="The activation is applied to this layer's output: a seeded 3×3 Conv2D (edges, textures) or a "
             "per-pixel Dense (a weighted mix of the channels).",
        **state.page_bind("layer", LAYERS[0], choices=LAYERS))
    space = controls.space_control(cols[1], default="rgb", help_text="Input channels of the layer.")
    seed = controls.seed_control(
        cols[2], help_text="Seed of the layer's random weights (the same for every activation).")
    names = controls.activations_control(
        default=DEFAULT_SET,
        help_text=f"Pick any of the {len(ACTIVATIONS)} element-wise activations in keras.activations.")
    return layer, space, seed, names


state.enter_page("activations")
choice = image_choice(second=False)
panels.page_header(
    "Activations",
    "An activation is a function applied to **every value on its own** after a layer's weighted sum. "
    "Without it, stacked layers would collapse into one linear map. Left: the curve f(x) "
    "(dashed: y = x). Right: the same layer's output passed through it, shown by the display rule "
    "picked below (each panel says which).",
    choice,
)
layer, space, seed, names = activation_controls()
display = controls.display_control()
if not names:
    st.info("Pick at least one activation above.")
with st.spinner("Applying activations…"):
    rows = []
    for name in names:
        if layer == LAYERS[0]:
            view = compute.conv2d(choice.key, space=space, activation=name, seed=seed, filters=1, kernel_size=3,
                                  display=display, _image=choice.image)
        else:
            view = compute.dense(choice.key, name, seed, 1, space, choice.image, display=display)
        rows.append((name, compute.activation_plot(name), view))
# One activation per row, curve beside its effect, each in half the content width: at 1024×768 two
# per row drew the curves ~100 px wide (unreadable on a projector); now ~270 px, text ≥ 14 px.
for name, curve, view in rows:
    with st.container(border=True):
        st.markdown(f"### `{name}`")
        st.caption(ACTIVATION_INFO[name])
        c1, c2 = st.columns(2, gap="medium")
        c1.image(curve, output_format="PNG", width="stretch")
        with c2:
            panels.show_view(view, key=f"act-{name}", compact=True)
