"""Real-browser tests (marked ``browser``): headless Chromium against a live Streamlit server."""
