"""Conv2D: random filters (one or two layers) and a kernel editor with classic hand-made kernels."""
import numpy as np
import pandas as pd
import streamlit as st

from ui import compute, controls, panels, state
from ui.sidebar import image_choice
from vizcore import ImageError
from vizcore.layers import KERNEL_PRESETS

VIEWS = ("Random filters", "Two layers", "Kernel editor")
KERNEL_SIZES = tuple(range(1, 12))
FILTERS = tuple(range(1, 17))
STRIDES = (1, 2, 3, 4)
PRESETS = tuple(KERNEL_PRESETS)
PRESET_LABELS = {name: name.replace("_", " ").capitalize() for name in PRESETS}
PRESET_HELP = {
    "identity": "1 in the centre: the output is the input (summed over channels).",
    "vertical_line": "Responds to thin vertical lines: bright centre column, dark sides.",
    "horizontal_line": "Responds to thin horizontal lines.",
    "sobel_x": "Horizontal gradient: bright where the image gets brighter to the right (vertical edges).",
    "sobel_y": "Vertical gradient: bright where the image gets brighter downwards (horizontal edges).",
    "blur": "Every weight 1/9: the mean of the 3×3 neighbourhood.",
    "sharpen": "Centre minus neighbours: exaggerates differences, edges pop.",
    "emboss": "A diagonal gradient that looks like light from the top left.",
}
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


def _kernel_text(kernel: np.ndarray) -> str:
    return ",".join(f"{v:g}" for v in np.asarray(kernel, dtype=np.float64).ravel())


# Largest kernel weight accepted: beyond it float32 sums overflow to inf on real images.
KERNEL_LIMIT = 1000.0


def _parse_kernel(text: str) -> list[list[float]]:
    values = [float(v) for v in str(text).split(",")]
    side = int(round(len(values) ** 0.5))
    if side * side != len(values) or side not in (3, 5) or not np.all(np.isfinite(values)):
        raise ValueError(f"a kernel needs 9 or 25 finite numbers, got {len(values)}")
    if np.max(np.abs(values)) > KERNEL_LIMIT:
        raise ValueError(f"kernel weights must lie within ±{KERNEL_LIMIT:g}, got {np.max(np.abs(values)):g}")
    return np.asarray(values, dtype=np.float64).reshape(side, side).tolist()


def _bump_editor() -> None:
    """Give the kernel grid a new key: a fresh grid showing the remembered kernel."""
    version = state.page_key("editor_version")
    st.session_state[version] = st.session_state.get(version, 0) + 1


def _on_preset() -> None:
    key = state.page_key("preset")
    name = st.session_state[key]
    state.remember(key, name, default="sobel_x")
    state.remember(state.page_key("kernel"), KERNEL_PRESETS[name].astype(float).tolist(), url=False)
    _bump_editor()


def editor_key() -> str:
    """Key of the kernel grid; a new key (a fresh grid) after a preset change or a page visit."""
    return state.page_key(f"editor{st.session_state.get(state.page_key('editor_version'), 0)}")


def kernel_controls() -> tuple[str, np.ndarray]:
    """Preset picker + editable k×k grid; returns (preset name, kernel actually applied)."""
    left, right = st.columns([1, 1], gap="large")
    bound = state.page_bind("preset", "sobel_x", choices=PRESETS)
    preset = left.selectbox(
        "Preset", PRESETS, format_func=PRESET_LABELS.get,
        help="Classic hand-made kernels. Pick one, then edit any cell on the right; the picture updates at once.",
        key=bound["key"], on_change=_on_preset)
    left.caption(PRESET_HELP[preset])
    kernel_key = state.page_key("kernel")
    if state.recall(kernel_key) is None:
        from_url = state.url_param(kernel_key, None, cast=_parse_kernel)
        state.remember(kernel_key, from_url or KERNEL_PRESETS[preset].astype(float).tolist(), url=False)
    if state.is_fresh_visit():
        _bump_editor()
    base = np.asarray(state.recall(kernel_key), dtype=np.float64)
    side = base.shape[0]
    frame = pd.DataFrame(base, columns=[f"col {i + 1}" for i in range(side)])
    with right:
        st.markdown(f"**Kernel** ({side}×{side}, edit the cells)")
        edited = st.data_editor(
            frame, hide_index=True, num_rows="fixed", width="stretch", key=editor_key(),
            column_config={c: st.column_config.NumberColumn(
                c, step=0.1, format="%.3g", required=True, min_value=-KERNEL_LIMIT, max_value=KERNEL_LIMIT,
                help="A kernel weight. Keras slides the kernel over the image without flipping it "
                     "(a correlation) and sums over the input channels.") for c in frame.columns},
        )
    kernel = np.clip(np.nan_to_num(edited.to_numpy(dtype=np.float64), nan=0.0), -KERNEL_LIMIT, KERNEL_LIMIT)
    state.remember(kernel_key, kernel.tolist(), url=False)
    preset_kernel = KERNEL_PRESETS[preset]
    changed = kernel.shape != preset_kernel.shape or not np.allclose(kernel, preset_kernel)
    state.put(kernel_key, _kernel_text(kernel) if changed else None)
    if changed:
        right.caption(f"Edited from “{PRESET_LABELS[preset]}”. The link above keeps your kernel.")
    return preset, kernel


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
    "View", VIEWS, required=True,
    help="Random filters: one seeded layer with all its output maps. Two layers: a small stack. "
         "Kernel editor: your own 3×3 kernel, e.g. an edge detector.",
    **state.page_bind("view", VIEWS[0], choices=VIEWS))
space, padding, activation = common_controls(with_activation=view != "Two layers")

def show_selected_view() -> None:
    """The chosen view: compute it and show its panels."""
    if view == "Random filters":
        kernel_size, filters, strides, seed = random_controls()
        with st.spinner("Convolving…"):
            result = compute.conv2d(choice.key, space=space, activation=activation, seed=seed, filters=filters,
                                    kernel_size=kernel_size, strides=strides, padding=padding, _image=choice.image)
        left, right = st.columns([2, 3], gap="large")
        with left:
            panels.show_view(result, key="conv")
        with right:
            st.markdown(f"**All {filters} output map{'s' if filters > 1 else ''}**")
            if result.maps:
                panels.show_maps(result, columns=4 if filters > 4 else filters, key="conv-maps")
            else:
                st.caption("One filter: its map is the panel on the left.")
    elif view == "Two layers":
        layers, seed = stack_controls()
        with st.spinner("Convolving twice…"):
            result = compute.conv2d_stack(choice.key, layers=layers, seed=seed, padding=padding, space=space,
                                          _image=choice.image)
        left, right = st.columns([2, 3], gap="large")
        with left:
            panels.show_view(result, key="stack")
        with right:
            first = compute.conv2d(choice.key, space=space, activation=layers[0][3], seed=seed, filters=layers[0][0],
                                   kernel_size=layers[0][1], strides=1, padding=padding, _image=choice.image)
            st.markdown(f"**Layer 1's {layers[0][0]} map{'s' if layers[0][0] > 1 else ''}** (the input of layer 2)")
            if first.maps:
                panels.show_maps(first, columns=4, key="stack-maps")
            else:
                st.image(first.display, output_format=first.display_format, width="stretch")
    else:
        preset, kernel = kernel_controls()
        with st.spinner("Convolving…"):
            result = compute.conv2d(choice.key, space=space, activation=activation, padding=padding,
                                    kernel=tuple(tuple(float(v) for v in row) for row in kernel), _image=choice.image)
        left, right = st.columns([1, 1], gap="large")
        with left:
            panels.show_panel(choice.image, title="Input", caption=choice.name, key="kernel-input",
                              explanation="The image the kernel slides over.")
        with right:
            panels.show_view(result, key="kernel")


try:
    show_selected_view()
except ImageError as err:  # e.g. "valid" padding on a picture smaller than the kernel
    st.error(str(err))
