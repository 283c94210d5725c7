"""civmap: the GIS command dashboard of a civilized-city campaign office.

The package runs without Streamlit; only ``civmap.ui`` imports it.
"""

__version__ = "0.1.0"
