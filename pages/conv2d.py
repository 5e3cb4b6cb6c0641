"""Conv2D: random filters (one or two layers) and a kernel editor with classic hand-made kernels."""
import streamlit as st

from ui import compute

compute.load_tensorflow()  # the first layer page after a server start says why it takes a while

from ui import controls, inspector, panels, state, trained_beside  # noqa: E402 - after the TensorFlow spinner
from ui.sidebar import image_choice  # noqa: E402
from vizcore import ImageError  # noqa: E402

VIEWS = ("Random filters", "Two layers", "Kernel editor")
KERNEL_SIZES = tuple(range(1, 12))
FILTERS = tuple(range(1, 17))
STRIDES = (1, 2, 3, 4)
SEED_HELP = "Seed of the GlorotUniform initialiser: the same seed always gives the same filters."


def common_controls(*, with_activation: bool = True) -> tuple[str, str, str | None]:
    cols = st.columns([2, 1, 1], gap="medium")
    space = controls.space_control(
        cols[0], default="rgb",
        help_text="Input channels of the convolution: 1 in luminance, 3 otherwise. "
                  "A filter has one k×k slice per input channel.")
    padding = controls.padding_control(
        cols[1], help_text='"same": zeros around the border keep the size (divided by strides). '
                           '"valid": only where the kernel fits, so the output shrinks by k − 1.')
    activation = controls.activation_control(
        cols[2], default="relu", help_text="Applied to each output value after the weighted sum.",
    ) if with_activation else None
    return space, padding, activation


def random_controls() -> tuple[int, int, int, int]:
    cols = st.columns([1, 1, 1, 1.5], gap="medium")
    kernel_size = controls.kernel_size_control(
        cols[0], default=3, sizes=KERNEL_SIZES, help_text="Each filter looks at a k×k neighbourhood (kernel_size=k).")
    filters = cols[1].select_slider(
        "Filters", FILTERS, help="Number of filters = number of output maps; every map is shown below.",
        **state.page_bind("filters", 4, choices=FILTERS, cast=int))
    strides = controls.strides_control(
        cols[2], default=1, choices=STRIDES,
        help_text="Step between positions: strides 2 halves the output's width and height.")
    seed = controls.seed_control(cols[3], help_text=SEED_HELP, reroll=True)
    return kernel_size, filters, strides, seed


def stack_controls() -> tuple[tuple[tuple[int, int, int, str], ...], int]:
    cols = st.columns(3, gap="medium")
    with cols[0]:
        st.markdown("**Layer 1**")
        f1 = st.select_slider("Layer 1 filters", FILTERS,
                              help="Maps produced by the first layer, all fed to the second.",
                              **state.page_bind("f1", 4, choices=FILTERS, cast=int))
        k1 = controls.kernel_size_control(label="Layer 1 kernel size", name="k1", default=3, sizes=KERNEL_SIZES,
                                          help_text="k×k window of the first layer.")
        a1 = controls.activation_control(label="Layer 1 activation", name="a1", default="relu",
                                         help_text="Non-linearity between the two layers.")
    with cols[1]:
        st.markdown("**Layer 2** (1 filter)")
        k2 = controls.kernel_size_control(label="Layer 2 kernel size", name="k2", default=3, sizes=KERNEL_SIZES,
                                          help_text="k×k window of the second layer, over all of layer 1's maps.")
        a2 = controls.activation_control(label="Layer 2 activation", name="a2", default="tanh",
                                         help_text="Activation of the final map.")
    with cols[2]:
        seed = controls.seed_control(help_text=SEED_HELP, reroll=True)
    return ((f1, k1, 1, a1), (1, k2, 1, a2)), seed


state.enter_page("conv2d")
choice = image_choice(second=False)
panels.page_header(
    "Conv2D",
    "A `Conv2D` layer slides small **filters** (k × k × channels weights) over the image; at each "
    "position it takes the weighted sum of the pixels under the filter, adds a bias and applies the "
    "activation. Each filter gives one output map. The same weights are used everywhere, so the "
    "parameter count depends on k, channels and filters — not on the image size.",
    choice,
)
view = st.segmented_control(
    "View", VIEWS, required=True, wrap=True,
    help="Random filters: one seeded layer with all its output maps. Two layers: a small stack. "
         "Kernel editor: your own 3×3 kernel, e.g. an edge detector.",
    **state.page_bind("view", VIEWS[0], choices=VIEWS))
space, padding, activation = common_controls(with_activation=view != "Two layers")
display = controls.display_control()

def show_selected_view() -> None:
    """The chosen view: compute it and show its panels."""
    if view == "Random filters":
        kernel_size, filters, strides, seed = random_controls()
        with st.spinner("Convolving…"):
            result = compute.conv2d(choice.key, space=space, activation=activation, seed=seed, filters=filters,
                                    kernel_size=kernel_size, strides=strides, padding=padding, display=display,
                                    _image=choice.image)
        left, right = st.columns([2, 3], gap="large")
        with left:
            panels.show_view(result, key="conv")
        with right:
            st.markdown(f"**All {filters} output map{'s' if filters > 1 else ''}**")
            if result.maps:
                panels.show_maps(result, columns=4 if filters > 4 else filters, key="conv-maps")
            else:
                st.caption("One filter: its map is the panel on the left.")
        if inspector.opened():
            inspector.section(choice.image, {"function": "conv2d", "space": space, "activation": activation,
                                             "seed": seed, "filters": filters, "kernel_size": kernel_size,
                                             "strides": strides, "padding": padding}, image_key=choice.key)
    elif view == "Two layers":
        layers, seed = stack_controls()
        with st.spinner("Convolving twice…"):
            result = compute.conv2d_stack(choice.key, layers=layers, seed=seed, padding=padding, space=space,
                                          display=display, _image=choice.image)
        left, right = st.columns([2, 3], gap="large")
        with left:
            panels.show_view(result, key="stack")
        with right:
            first = compute.conv2d(choice.key, space=space, activation=layers[0][3], seed=seed, filters=layers[0][0],
                                   kernel_size=layers[0][1], strides=1, padding=padding, display=display,
                                   _image=choice.image)
            st.markdown(f"**Layer 1's {layers[0][0]} map{'s' if layers[0][0] > 1 else ''}** (the input of layer 2)")
            if first.maps:
                panels.show_maps(first, columns=4, key="stack-maps")
            else:
                st.image(first.display, output_format=first.display_format, width="stretch")
    else:
        preset, kernel = controls.kernel_editor_control()
        with st.spinner("Convolving…"):
            result = compute.conv2d(choice.key, space=space, activation=activation, padding=padding,
                                    kernel=tuple(tuple(float(v) for v in row) for row in kernel), display=display,
                                    _image=choice.image)
        left, right = st.columns([1, 1], gap="large")
        with left:
            panels.show_panel(choice.image, title="Input", caption=choice.name, key="kernel-input",
                              explanation="The image the kernel slides over.")
        with right:
            panels.show_view(result, key="kernel")
        if inspector.opened():
            inspector.section(choice.image, {"function": "conv2d", "space": space, "activation": activation,
                                             "padding": padding, "kernel": [[float(v) for v in row] for row in kernel]},
                              image_key=choice.key)


try:
    show_selected_view()
except ImageError as err:  # e.g. "valid" padding on a picture smaller than the kernel
    st.error(str(err))
trained_beside.section(choice.image, image_key=choice.key)
