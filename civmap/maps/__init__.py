"""Map building blocks: compact feature batches and the offline folium map."""
