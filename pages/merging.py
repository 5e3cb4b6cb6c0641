"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate of two images."""
import streamlit as st

from ui import compute

compute.load_tensorflow()  # the first layer page after a server start says why it takes a while

from ui import controls, panels, state  # noqa: E402 - after the TensorFlow spinner
from ui.sidebar import image_choice  # noqa: E402
from vizcore import SPACES  # noqa: E402
from vizcore.layers import MERGE_KINDS  # noqa: E402

KIND_HELP = {
    "Add": "a + b, value by value (bright areas saturate at 1).",
    "Subtract": "a − b (negative values are clipped to 0: black).",
    "Multiply": "a × b: dark wherever either image is dark, like stacked slides.",
    "Average": "(a + b) / 2: a double exposure.",
    "Maximum": "the larger of a and b at each value: 'lighten'.",
    "Minimum": "the smaller of a and b at each value: 'darken'.",
    "Concatenate": "stacks the channels of a and b; nothing is combined (shown side by side).",
}


def single_controls() -> tuple[str, str]:
    # Full width and allowed to wrap: 7 buttons do not fit beside the colour spaces at 1024×768.
    kind = st.segmented_control(
        "Merge layer", MERGE_KINDS, required=True, wrap=True,
        help="Which keras.layers merge layer combines the two images. " +
             " ".join(f"{k}: {v}" for k, v in KIND_HELP.items()),
        **state.page_bind("kind", "Add", choices=MERGE_KINDS))
    space = controls.space_control(
        st, default="rgb",
        help_text="Both images are converted to this space, merged there, clipped to [0, 1] and converted "
                  "back to RGB to be shown. The same layer gives different pictures in different spaces.")
    return kind, space


state.enter_page("merging")
choice = image_choice(second=True)
panels.page_header(
    "Merging layers",
    "Merge layers combine **two tensors of the same shape** into one, with no weights to learn "
    "(0 parameters). Networks use them to join branches: `Add` in residual connections, "
    "`Concatenate` in U-Nets and Inception blocks, `Multiply` for attention gates.",
    choice, show_other=True,
)

@st.fragment
def single_view() -> None:
    """The close-up: its controls rerun only this part of the page, not the 28-panel grid."""
    st.subheader("One merge, up close")
    kind, space = single_controls()
    st.caption(f"**{kind}**: {KIND_HELP[kind]}")
    with st.spinner("Merging…"):
        result = compute.merge(choice.key, choice.other_key, kind, space, choice.image, choice.other)
    cols = st.columns([1, 2], gap="medium")  # inputs stacked: side by side they are too narrow at 1024 px
    with cols[0]:
        panels.show_panel(choice.image, title="Input a", caption=choice.name,
                          explanation="The first image (sidebar).", key="input-a")
        panels.show_panel(choice.other, title="Input b", caption=choice.other_name,
                          explanation="The second image, brought to a's size (sidebar → Second image).",
                          key="input-b")
    with cols[1]:
        panels.show_view(result, key="single")


single_view()

st.divider()
st.subheader(f"All {len(MERGE_KINDS)} merges × {len(SPACES)} colour spaces")
st.markdown("Rows are layers, columns colour spaces. Open **Details** under a panel for its "
            "explanation, Keras code and PNG.")
with st.spinner(f"Computing {len(MERGE_KINDS) * len(SPACES)} merges…"):
    grid = [[compute.merge(choice.key, choice.other_key, k, s, choice.image, choice.other) for s in SPACES]
            for k in MERGE_KINDS]
for k, row in zip(MERGE_KINDS, grid):
    st.markdown(f"#### {k}")
    st.caption(KIND_HELP[k])
    cols = st.columns(len(SPACES), gap="small")
    for col, s, view in zip(cols, SPACES, row):
        with col:
            panels.show_view(view, key=f"grid-{k}-{s}", compact=True)
