"""The planner's view (短板分析): where next month's effort buys the most points.

``tables`` (category weights, part coefficients and quotas, as data), ``facts`` (what each
point and alley shows), ``score`` (the priority score and its parts), ``rank`` (the ranked
list at four levels), ``inputs`` (what is computed once per data version), ``trends``
(score rate per inspection round), ``density`` and ``hexmap`` (problems per hexagon and
their change, on a map), ``whatif`` (a plan's effect on the districts' figures), ``plans``
(named plans in a file), ``tasks`` (a plan as an Excel task list), ``gaps`` (coverage gaps),
``charts`` and ``cli``. No Streamlit here (see ``civmap.ui.planning``), no SQL.
"""
