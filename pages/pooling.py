"""Pooling: max and average pooling in four colour spaces, global average pooling, depth-wise max."""
import streamlit as st

from ui import compute

compute.load_tensorflow()  # the first layer page after a server start says why it takes a while

from ui import controls, inspector, panels, state  # noqa: E402 - after the TensorFlow spinner
from ui.sidebar import image_choice  # noqa: E402
from vizcore import SPACES, ImageError  # noqa: E402

SIZES = tuple(range(1, 17))


def pool_controls() -> tuple[int, int, str]:
    cols = st.columns([1, 1.3, 1], gap="medium")  # room for the toggle's label at 1024×768
    size = controls.kernel_size_control(
        cols[0], label="Pool size", name="size", default=4, sizes=SIZES,
        help_text="Side of the square window each output value summarises (pool_size=(n, n)). "
                  "Bigger windows give bigger blocks and a smaller output.")
    tied = cols[1].toggle(
        "Strides = pool size", help="Keras's default: windows side by side, no overlap and no gaps. "
                                    "Turn off to choose the step yourself.",
        **state.page_bind("tied", True, cast=bool))
    strides = size if tied else controls.strides_control(
        cols[1], default=4, choices=SIZES,
        help_text="How far the window moves between outputs. Smaller than the pool size: windows overlap; "
                  "larger: pixels are skipped.")
    padding = controls.padding_control(
        cols[2], help_text='"same": the edge is padded so every pixel is covered, output = ceil(H / strides). '
                           '"valid": only whole windows, output = floor((H − size) / strides) + 1.')
    return size, strides, padding


state.enter_page("pooling")
choice = image_choice(second=False)
panels.page_header(
    "Pooling",
    "Pooling layers shrink a feature map by summarising each window with one number: "
    "`MaxPooling2D` keeps the largest value, `AveragePooling2D` the mean. They have **no "
    "parameters**; they make the network cheaper and a little tolerant to small shifts. "
    "Here each pooled value is shown back at the input's size, repeated over its window, so you "
    "can see the blocks.",
    choice,
)


@st.fragment
def pooled_rows() -> None:
    """Controls and the 8 pooled panels: changing them reruns only this part of the page."""
    size, strides, padding = pool_controls()
    h, w = choice.image.shape[:2]
    try:
        with st.spinner("Pooling…"):
            rows = {kind: [compute.pool(choice.key, kind, s, size, strides, padding, choice.image) for s in SPACES]
                    for kind in ("max", "average")}
    except ImageError as err:  # e.g. "valid" padding on an image smaller than the window
        st.error(str(err))
        return
    example = rows["max"][1]
    if example.shape:
        st.caption(f"{w}×{h} input → pooled output {example.shape[1]}×{example.shape[0]} per channel "
                   f"(pool {size}×{size}, strides {strides}, padding “{padding}”).")
    for kind, label in (("max", "MaxPooling2D"), ("average", "AveragePooling2D")):
        st.markdown(f"#### {label}")
        cols = st.columns(len(SPACES), gap="small")
        for col, s, view in zip(cols, SPACES, rows[kind]):
            with col:
                panels.show_view(view, key=f"{kind}-{s}", compact=True)
    if inspector.opened():
        inspector.pool_section(choice.image, image_key=choice.key, size=size, strides=strides, padding=padding)


pooled_rows()

st.divider()
st.subheader("Global average pooling: one number per channel")
st.markdown("`GlobalAveragePooling2D` averages each channel over the **whole image**: the output is a "
            "vector with one value per channel, shown as one colour. Networks use it before the "
            "classifier instead of `Flatten`, so any image size works.")
with st.spinner("Averaging…"):
    swatches = [compute.pool(choice.key, "global_average", s, None, None, "same", choice.image) for s in SPACES]
cols = st.columns(len(SPACES), gap="small")
for col, s, view in zip(cols, SPACES, swatches):
    with col:
        st.image(view.display, output_format=view.display_format, width=160)
        st.markdown(f"**{controls.SPACE_LABELS[s]}** · {view.caption}")
        st.caption(view.explanation)
        with st.expander("Keras code"):
            st.code(view.code or "", language="python")

st.divider()
st.subheader("Depth-wise max pooling: the largest channel at each pixel")
st.markdown("Instead of pooling over space, pool over the **channels**: each pixel keeps the largest of "
            "its channel values (spatial size unchanged). On RGB this is exactly HSV's *value*.")
with st.spinner("Pooling channels…"):
    depth = [compute.pool(choice.key, "depthwise_max", s, None, None, "same", choice.image) for s in SPACES]
cols = st.columns(len(SPACES), gap="small")
for col, s, view in zip(cols, SPACES, depth):
    with col:
        panels.show_view(view, key=f"depth-{s}", compact=True)
