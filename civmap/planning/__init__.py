"""The planner's view (短板分析): where next month's effort buys the most points.

``tables`` (weights, coefficients, quotas as data), ``facts`` (what each place shows),
``score`` (the priority score and its parts), ``rank`` (the ranked list at four levels),
``inputs`` (everything computed once per data version). Pure: no Streamlit, no SQL.
"""
