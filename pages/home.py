"""Home: what Layer Lab is, the chosen image, its channels in every colour space, the sections."""
from pathlib import Path

import streamlit as st

from ui import compute, panels
from ui.controls import SPACE_LABELS
from ui.sidebar import image_choice

ROOT = Path(__file__).resolve().parents[1]

SPACE_TEXT = {
    "luminance": "One channel: brightness as the eye weighs it (Y = 0.299 R + 0.587 G + 0.114 B).",
    "rgb": "Red, green and blue light: what the screen shows and what most networks are fed.",
    "hsv": "Hue (which colour, around the wheel), saturation (how vivid), value (how bright).",
    "ycbcr": "Luma plus two colour differences, as inside a JPEG; Cb and Cr are 0.5 (mid grey) where there is "
             "no colour.",
}

SECTIONS = [
    ("pages/merging.py", "Merging layers", ":material/join_inner:",
     "Add, Subtract, Multiply, Average, Maximum, Minimum and Concatenate two images, in four colour spaces."),
    ("pages/pooling.py", "Pooling", ":material/grid_view:",
     "Max and average pooling with your pool size and strides; global average pooling; depth-wise max."),
    ("pages/dense.py", "Dense", ":material/hub:",
     "A Dense layer on every pixel, and a fully connected one on the whole image: why the parameter counts differ."),
    ("pages/conv2d.py", "Conv2D", ":material/filter_center_focus:",
     "Random and hand-made kernels (edges, blur, sharpen, emboss), one or two layers, every filter's map."),
    ("pages/conv2d_transpose.py", "Conv2DTranspose", ":material/open_in_full:",
     "Learned upsampling: how kernel size and strides set the output size, and the checkerboard it leaves."),
    ("pages/activations.py", "Activations", ":material/show_chart:",
     "Each activation's curve beside what it does to the picture."),
    ("pages/cheat_sheet.py", "Cheat sheet", ":material/dashboard:",
     "Every panel at once, as one PNG to download and print."),
    ("pages/trained_models.py", "Trained models", ":material/model_training:",
     "Feature maps of trained networks: what their filters respond to in your picture."),
    ("pages/your_model.py", "Your model", ":material/upload_file:",
     "Upload a .keras or .h5 model and look inside it."),
]

choice = image_choice(second=False)

st.title("Layer Lab")
st.markdown(
    "See what **Keras layers** do to a picture. Every panel is made by a real "
    "`keras.layers` layer running on the image you choose in the sidebar — a bundled sample, "
    "your own upload or a camera photo — with the Keras code that reproduces it, a short "
    "explanation of what was computed, and a PNG to download. Settings live in the page's "
    "link, so you can share exactly what you see."
)

left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader("Your image")
    panels.show_panel(
        choice.image, title=choice.name, caption=panels.source_label(choice),
        explanation="Pick another picture, upload your own or take a photo in the sidebar; every page uses it.",
        filename=panels.slug(choice.name) + ".png", key="home-image",
    )
with right:
    st.subheader("Sections")
    # One card per row: two side by side cut the links' labels ("Conv2DTrans…") at 1024×768.
    for path, label, icon, blurb in (s for s in SECTIONS if (ROOT / s[0]).exists()):
        with st.container(border=True, gap="small"):
            st.page_link(path, label=label, icon=icon, help=blurb)
            st.caption(blurb)

st.divider()
st.subheader("The same picture in four colour spaces")
st.markdown(
    "A layer only sees numbers. Which numbers depends on the colour space the picture is "
    "given in: each channel below is one input plane, shown as grey (black = 0, white = 1)."
)
for space, planes in compute.channels(choice.key, choice.image):
    label, text = SPACE_LABELS[space], SPACE_TEXT[space]
    cols = st.columns([1.2, 1, 1, 1], gap="small")
    with cols[0]:
        st.markdown(f"**{label}**")
        st.caption(text)
    for col, (name, data, fmt) in zip(cols[1:], planes):
        with col:
            caption = name if len(planes) == 1 else f"{label}: {name}"
            st.image(data, output_format=fmt, caption=caption, width="stretch")

compute.start_warm_up()  # TensorFlow and the layer graphs load in the background for the next page
