"""Shared Streamlit widgets and the glue between pages and lib."""
