"""Cheat sheet: every panel of the seed sheet for the chosen image(s) at once, with a PNG download."""
import streamlit as st

from ui import compute

compute.load_tensorflow()  # the first layer page after a server start says why it takes a while

from ui import controls, panels, state, trained_beside  # noqa: E402 - after the TensorFlow spinner
from ui.sidebar import image_choice  # noqa: E402

COLUMNS = (3, 4, 5, 6, 8)


def sheet_controls() -> tuple[tuple[str, ...], int, int]:
    # The spaces on a row of their own: beside other controls, 1024×768 cut the "YCbCr" chip and its remove button.
    spaces = controls.spaces_control(
        help_text="Spaces of the merging and pooling panels (Dense, Conv2D and Conv2DTranspose panels work on "
                  "the luminance, as in the seed).")
    cols = st.columns([1, 2], gap="medium")
    seed = controls.seed_control(cols[0], default=0, help_text="Seed of every untrained layer on the sheet.")
    columns = cols[1].select_slider(
        "Panels per row", COLUMNS,
        help="Fewer panels per row show each bigger (good on a projector). Merging and pooling "
             "always have one column per colour space.",
        **state.page_bind("cols", 5, choices=COLUMNS, cast=int))
    return spaces or ("rgb",), seed, columns


state.enter_page("cheat_sheet")
choice = image_choice(second=True)
panels.page_header(
    "Cheat sheet",
    "Every layer on one page: merges and pooling in each colour space, Dense and Conv2D with the "
    "common activations, two-layer stacks and Conv2DTranspose upsampling — all computed on your image. "
    "Download it as one PNG to print or put on a slide.",
    choice, show_other=True,
)
spaces, seed, columns = sheet_controls()
with st.spinner("Computing the whole sheet…"):
    items = compute.sheet(choice.key, choice.other_key, spaces, seed, choice.image, choice.other)


groups: dict[str, list] = {}
for group, view in items:
    groups.setdefault(group, []).append(view)

# Downloads: the whole sheet as one PNG, or one panel picked from a list (one button, not one per panel:
# each button is an element every tab's page sends, and each held its panel's full-size pixels).
png_cols = st.columns([2, 3], vertical_alignment="center")
if png_cols[0].button("Make the sheet PNG", icon=":material/image:", key=state.page_key("make_png"),
                      help="Draws every panel with its title into one PNG (matplotlib); takes a few seconds."):
    with st.spinner(f"Drawing {len(items)} panels into one PNG…"):
        compute.sheet_png(choice.key, choice.other_key, spaces, seed, choice.image, choice.other)
    st.session_state[state.page_key("png_for")] = (choice.key, choice.other_key, spaces, seed)
if st.session_state.get(state.page_key("png_for")) == (choice.key, choice.other_key, spaces, seed):
    png = compute.sheet_png(choice.key, choice.other_key, spaces, seed, choice.image, choice.other)
    png_cols[1].download_button(
        f"Download the sheet ({len(png) / 1e6:.1f} MB PNG)", data=png,
        file_name=f"layer-lab-cheat-sheet-{panels.slug(choice.name)}.png", mime="image/png",
        icon=":material/download:", on_click="ignore", type="primary",
        help="One PNG with every panel and its title, ready to print or put on a slide.")
else:
    png_cols[1].caption(f"{len(items)} panels below; the PNG puts them all on one page.")
names = [f"{group} · {view.title}" for group, view in items]
one_cols = st.columns([3, 2], vertical_alignment="bottom")
picked = one_cols[0].selectbox(
    "One panel as a PNG", names, help="Any panel of the sheet at full size, as a lossless PNG file.",
    **state.page_bind("panel", names[0], choices=names, url=False))
with one_cols[1]:
    view = items[names.index(picked)][1]
    panels.download_png(view.pixels, filename=view.filename, key="sheet-panel-png", shown=view.display,
                        label="Download this panel")
trained_beside.section(choice.image, image_key=choice.key)
for group, views in groups.items():
    st.subheader(f"{group} ({len(views)})")
    # Merges and pools: one row per layer, one column per colour space (like the Merging page).
    n = len(spaces) if group in ("Merging", "Pooling") else min(columns, len(views))
    panels.show_cells(views, columns=n)
    panels.details(views, label=f"What each {group} panel computes, and its Keras code")
