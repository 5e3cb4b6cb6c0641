"""Streamlit helpers shared by every Layer Lab page (the only package besides pages/ using streamlit).

``ui.sidebar``  ``image_choice() -> Choice``: the shared image choice (sample / upload / camera
                and a second image), persisted across pages.
``ui.panels``   ``show_panel`` / ``show_view`` / ``grid`` / ``download_png`` / ``to_png`` /
                ``page_header``: how a panel looks (image, caption, explanation, code, PNG).
``ui.state``    ``enter_page`` / ``page_bind`` / ``bind`` / ``put`` / ``url_param``: settings remembered
                for the session and shared in the URL, namespaced per page (``conv2d.space``).
``ui.controls`` the shared page controls (colour space, activation, seed, kernel size, strides,
                padding, kernel editor) and the one ``SPACE_LABELS``.
``ui.compute``  cached calls into vizcore (``st.cache_resource`` keyed by image key + settings)
                returning display-ready, read-only ``PanelView`` objects.
``ui.streamlit_patches``  the two guarded changes to Streamlit internals, with their reasons.

Caching policy (which decorator, bounds, ttl): docs/architecture.md, "Caching in ui/".
"""
