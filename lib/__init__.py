"""Domain and data layer of the ILM Assessment Portal (no Streamlit outside lib/ui)."""
