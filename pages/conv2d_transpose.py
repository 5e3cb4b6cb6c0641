"""Conv2DTranspose: learned upsampling; how kernel size and strides set the output size."""
import streamlit as st

from ui import compute

compute.load_tensorflow()  # the first layer page after a server start says why it takes a while

from ui import controls, inspector, panels, state  # noqa: E402 - after the TensorFlow spinner
from ui.sidebar import image_choice  # noqa: E402
from vizcore.layers.coverage import coverage_text, transpose_size_text  # noqa: E402

KERNEL_SIZES = tuple(range(1, 9))
STRIDES = (1, 2, 3, 4)
INPUT_SIDES = (32, 64, 128, 256)


def transpose_controls() -> dict:
    cols = st.columns(4, gap="medium")
    k = controls.kernel_size_control(cols[0], default=4, sizes=KERNEL_SIZES,
                                     help_text="Each input pixel stamps a k×k patch of weights onto the output.")
    s = controls.strides_control(cols[1], default=2, choices=STRIDES,
                                 help_text="Distance between stamps in the output: the upsampling factor.")
    activation = controls.activation_control(cols[2], default="linear", help_text="Applied to every output value.")
    padding = controls.padding_control(
        cols[3], help_text='"same": output exactly strides × input. "valid": the stamps that stick out at the '
                           "border are kept, so the output is max(k − s, 0) pixels larger.")
    cols = st.columns([2, 1, 1], gap="medium")
    space = controls.space_control(
        cols[0], default="rgb",
        help_text="Input channels (1 in luminance, 3 otherwise); the kernel has one k×k slice per channel.")
    side = cols[1].select_slider(
        "Input size (longer side, px)", INPUT_SIDES,
        help="The image is shrunk first so the pattern each stamp leaves is visible (and the output stays small).",
        **state.page_bind("in_side", 64, choices=INPUT_SIDES, cast=int))
    seed = controls.seed_control(cols[2], help_text="Seed of the GlorotUniform initialiser for the kernel.")
    return dict(kernel_size=k, strides=s, activation=activation, padding=padding, space=space, side=side,
                seed=seed)


state.enter_page("conv2d_transpose")
choice = image_choice(second=False)
panels.page_header(
    "Conv2DTranspose",
    "`Conv2DTranspose` (sometimes called deconvolution) goes the other way from a strided `Conv2D`: it "
    "makes the image **bigger**. Every input pixel multiplies a k×k kernel and adds it onto the output, "
    "one stamp every `strides` pixels; where stamps overlap they add up. Decoders, U-Nets and GANs use "
    "it to upsample. When k is not a multiple of the strides, overlaps are uneven and a "
    "**checkerboard** pattern appears.",
    choice,
)
opts = transpose_controls()
display = controls.display_control()
small = compute.shrink(choice.key, opts["side"], choice.image)
with st.spinner("Upsampling…"):
    result = compute.conv2d_transpose(
        f"{choice.key}|{opts['side']}", kernel_size=opts["kernel_size"], strides=opts["strides"],
        activation=opts["activation"], seed=opts["seed"], filters=1, padding=opts["padding"],
        space=opts["space"], display=display, _image=small)
h, w = small.shape[:2]
k, s = opts["kernel_size"], opts["strides"]
oh, ow = result.shape[:2] if result.shape else result.size[::-1]
m = st.columns(3)
m[0].metric("Input", f"{w}×{h}")
m[1].metric("Output", f"{ow}×{oh}", delta=f"×{ow / w:.2g}", delta_color="off")
m[2].metric("Parameters", f"{result.params:,}")
st.markdown(f"**Output size.** {transpose_size_text(h, k, s, opts['padding'])}")
st.markdown(f"**Overlap.** {coverage_text(k, s)}")
left, right = st.columns([1, 2], gap="large")
with left:
    panels.show_panel(small, title="Input", caption=f"{choice.name}, {w}×{h}", key="tin",
                      explanation="The image after shrinking to the chosen input size.")
with right:
    panels.show_view(result, key="transpose")
if inspector.opened():
    inspector.section(small, {"function": "conv2d_transpose", "filters": 1,
                              **{name: opts[name] for name in ("kernel_size", "strides", "activation", "seed",
                                                               "padding", "space")}},
                      image_key=f"{choice.key}|{opts['side']}")
