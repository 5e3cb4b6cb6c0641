"""Shareable page state: widget values remembered for the session and mirrored in the URL.

Settings live in ``st.query_params`` so that a copied URL restores the view, and in
``st.session_state`` so that they survive a trip to another page. Uploaded images are
never put in a URL (only the sample *name* is).

Two kinds of keys:

* **Page settings** (colour space, layer kind, sizes, activation, seed, kernel...) belong
  to one page. Their key is namespaced by the page's url path, ``<page>.<name>``
  (``conv2d.space``, ``dense.seed``), in the session *and* in the URL, so a page opened
  after any other shows its own defaults: :func:`page_key`, :func:`page_bind`.
* **Shared settings** (the image choice drawn by ``ui.sidebar``: ``sample``, ``side``,
  ``other``...) are bare keys bound with :func:`bind`; they are the same on every page on
  purpose.

How a page uses it::

    from ui import state

    kind = st.selectbox("Merge layer", KINDS, help="...", **state.page_bind("kind", "Add", choices=KINDS))
    state.put(state.page_key("kernel"), "1,0,-1,2,0,-2,1,0,-1")   # a value no widget binds

(``ui.controls`` wraps the common widgets: colour space, activation, seed, kernel size...)
Never pass ``value=``/``index=`` together with ``bind``: the bound key already carries
the value. Rules:

* Where a value comes from, the first time a key is bound in a session: the URL the
  session was opened with (validated against ``choices`` and ``cast``), else ``default``.
  Afterwards, the session's memory (so values survive page switches).
* The URL is rebuilt on every run from what the current page bound: keys of other pages
  do not linger, and values equal to their default are left out to keep links short.
  :func:`begin_run` starts that (``ui.sidebar.image_choice`` calls it, so pages don't).
* Old links with un-namespaced page settings (``/conv2d?space=hsv``) still work: a bare
  name in the opening URL is read as a setting of the page the session was opened on
  (only that page, so it cannot leak into another page's defaults).

Streamlit detail this works around: a widget with the same key on two pages is two
widgets, and Streamlit forgets a widget's value once it is not drawn, so the value is
kept under a separate, non-widget key (``_mem:<key>``) and handed back before drawing.
"""
from __future__ import annotations

from collections.abc import Callable, Container
from typing import Any

import streamlit as st

from . import streamlit_patches

__all__ = ["begin_run", "enter_page", "bind", "page_bind", "page_key", "list_of", "url_param", "put", "remember",
           "recall", "is_fresh_visit", "current_page"]

_MEM = "_mem:"
_URL_SNAPSHOT = "_ll_url_snapshot"  # the query params the session was opened with
_URL_PAGE = "_ll_url_page"          # the page the session was opened on
_RUN_PARAMS = "_ll_run_params"      # ordered {key: encoded} written to the URL this run
_PAGE = "_ll_page"                  # set by app.py before pg.run(): the page being run
_DECLARED = "_ll_declared_page"     # set by enter_page, taken by the next begin_run
_RUN_PAGE = "_ll_run_page"          # the page this run belongs to (declared, else app.py's)
_PREV_PAGE = "_ll_prev_page"
_FRESH = "_ll_fresh_visit"


def _encode(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def list_of(options) -> Callable[[str], list]:
    """A ``cast`` for multiselects: "a,b" -> ["a", "b"], keeping only known options (bind(..., cast=list_of(OPTS)))."""
    known = list(options)

    def cast(text: str) -> list:
        picked = [part for part in str(text).split(",") if part in known]
        if not picked and text:
            raise ValueError(f"none of {text!r} are options")
        return picked

    return cast


def _cast_bool(text: str) -> bool:
    lowered = str(text).strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {text!r}")


def current_page() -> str:
    """The url path of the page being run: as the page declared it (:func:`enter_page`), else as
    app.py recorded it; '' for the default page (or a page script run on its own)."""
    return str(st.session_state.get(_RUN_PAGE, st.session_state.get(_PAGE, "")))


#: Namespace of the default page, whose url path is ''.
HOME = "home"


def enter_page(name: str) -> None:
    """Declare the page being run: its url path (``"conv2d"``), the namespace of its settings.

    Called by every page script with settings, just before ``image_choice`` (whose
    :func:`begin_run` takes it for this run). app.py records the same from
    ``st.navigation``, but a page script can also run without app.py (Streamlit's AppTest
    runs pages on their own after a page switch), so the page says who it is. app.py's own
    record is left alone: :func:`begin_run` checks it to tell whether app.py ran. Raises
    ValueError for an empty name or one with a dot.
    """
    if not name or "." in name:
        raise ValueError(f"a page name is its url path without dots, got {name!r}")
    st.session_state[_DECLARED] = name


def page_key(name: str) -> str:
    """The session/URL key of the running page's setting ``name``: ``"space"`` -> ``"conv2d.space"``.

    The namespace is the page's url path (``HOME`` for the default page). Raises
    ValueError for an empty name or one that already contains a dot.
    """
    if not name or "." in name:
        raise ValueError(f"a page setting name is a plain word, got {name!r}")
    return f"{current_page() or HOME}.{name}"


def page_bind(name: str, default: Any, *, choices: Container | None = None,
              cast: Callable[[str], Any] = str, url: bool = True) -> dict[str, Any]:
    """:func:`bind` for a setting of the running page only (key :func:`page_key` ``(name)``)."""
    return bind(page_key(name), default, choices=choices, cast=cast, url=url)


def _ensure_entry_point() -> None:
    """Make sure the page runs through app.py's ``st.navigation``.

    Streamlit starts every server in its old "pages/ directory" mode until app.py has
    called ``st.navigation`` once. A shared link such as ``/merging?kind=Add`` opened as the
    very first visit after a server start would then run ``pages/merging.py`` on its own
    (no page config, wrong menu). Here: switch the mode off, as ``st.navigation`` does, and
    rerun, so the same URL is served through app.py. Happens at most once per session.
    The Streamlit patch itself, guarded and with its reason: ``ui.streamlit_patches``.
    """
    if _PAGE in st.session_state or st.session_state.get("_ll_entry_retried"):
        return
    if streamlit_patches.uses_pages_directory():
        st.session_state["_ll_entry_retried"] = True
        if streamlit_patches.leave_pages_directory_mode():
            st.rerun()


def begin_run() -> None:
    """Start a run: snapshot the opening URL once, reset this run's URL parameters.

    Called at the top of :func:`ui.sidebar.image_choice`, which every page calls first.
    Also records whether this run is the first one after arriving on the page
    (:func:`is_fresh_visit`).
    """
    _ensure_entry_point()
    st.session_state[_RUN_PAGE] = st.session_state.pop(_DECLARED, None) or st.session_state.get(_PAGE, "")
    if _URL_SNAPSHOT not in st.session_state:
        st.session_state[_URL_SNAPSHOT] = {k: st.query_params.get(k) for k in st.query_params}
        st.session_state[_URL_PAGE] = current_page() or HOME
    st.session_state[_RUN_PARAMS] = {}
    page = current_page()
    st.session_state[_FRESH] = st.session_state.get(_PREV_PAGE) != page
    st.session_state[_PREV_PAGE] = page
    _write_url()


def is_fresh_visit() -> bool:
    """True on the first run after the user arrived on this page (or opened the app)."""
    return bool(st.session_state.get(_FRESH, True))


def url_param(key: str, default: Any, *, choices: Container | None = None,
              cast: Callable[[str], Any] = str) -> Any:
    """The value of ``key`` in the URL the session was opened with, or ``default``.

    The text is converted with ``cast`` (``int``, ``float``, ``bool`` understood as
    1/0/true/false) and must be in ``choices`` when given; anything else (a typo, a
    hand-edited link, an out-of-range number) quietly gives ``default``. For a page key
    (``conv2d.space``) of the page the session was opened on, a bare ``space`` in the
    URL counts too (links made before keys were namespaced).
    """
    snapshot = st.session_state.get(_URL_SNAPSHOT)
    if snapshot is None:
        snapshot = {k: st.query_params.get(k) for k in st.query_params}
    text = snapshot.get(key)
    page, dot, bare = key.partition(".")
    if text is None and dot and page == st.session_state.get(_URL_PAGE):
        text = snapshot.get(bare)  # an old link: un-namespaced settings of the page it opened
    if text is None:
        return default
    converter = _cast_bool if cast is bool else cast
    try:
        value = converter(text)
    except (TypeError, ValueError):
        return default
    if choices is not None and value not in choices:
        return default
    return value


def recall(key: str, default: Any = None) -> Any:
    """The remembered value of ``key`` this session, else ``default`` (no URL lookup)."""
    return st.session_state.get(_MEM + key, default)


def remember(key: str, value: Any, *, default: Any = None, url: bool = True) -> None:
    """Remember ``value`` for ``key`` this session; also put it in the URL unless it is the default."""
    st.session_state[_MEM + key] = value
    if url:
        put(key, None if value == default else _encode(value))


def put(key: str, text: str | None) -> None:
    """Put ``key=text`` in this run's URL (``None`` removes it). For values no widget binds."""
    params = st.session_state.setdefault(_RUN_PARAMS, {})
    if text is None:
        params.pop(key, None)
    else:
        params[key] = text
    _write_url()


def _write_url() -> None:
    wanted = dict(st.session_state.get(_RUN_PARAMS, {}))
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def _on_change(key: str, default: Any, url: bool) -> None:
    remember(key, st.session_state[key], default=default, url=url)


def bind(key: str, default: Any, *, choices: Container | None = None,
         cast: Callable[[str], Any] = str, url: bool = True) -> dict[str, Any]:
    """Keyword arguments that make a widget remember its value and share it in the URL.

    ``key`` is used as given: a bare key is shared by every page (the sidebar's image
    choice); page settings use :func:`page_bind`. Use as
    ``st.selectbox(label, options, help=..., **bind("sample", "Cat", choices=NAMES))``.
    ``default`` must be a valid value of the widget; ``choices``/``cast`` validate the URL
    text (see :func:`url_param`). ``url=False`` remembers without putting it in the URL.
    Returns ``{"key", "on_change", "args"}``.
    """
    mem = _MEM + key
    if mem not in st.session_state:
        st.session_state[mem] = url_param(key, default, choices=choices, cast=cast)
    value = st.session_state[mem]
    if choices is not None and value not in choices:  # e.g. a page narrowed its options
        value = default
        st.session_state[mem] = value
    st.session_state[key] = value
    if url:
        put(key, None if value == default else _encode(value))
    return {"key": key, "on_change": _on_change, "args": (key, default, url)}
