"""Metric CRS choice and the geographic/projected guards."""

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
import shapely

import geo

pytestmark = pytest.mark.filterwarnings("error:Geometry is in a geographic CRS:UserWarning")

GUILIN = (110.29, 25.27)


def _points(*lonlat, crs="EPSG:4326"):
    return gpd.GeoDataFrame(geometry=[shapely.Point(p) for p in lonlat], crs=crs)


def test_guilin_is_utm_49n():
    assert geo.metric_crs(GUILIN).to_epsg() == 32649
    assert geo.metric_crs(_points(GUILIN, (110.5, 25.4))).to_epsg() == 32649
    assert geo.metric_crs(_points(GUILIN).geometry).to_epsg() == 32649
    assert geo.metric_crs((110.1, 25.1, 110.5, 25.4)).to_epsg() == 32649  # bounds


@pytest.mark.parametrize("lonlat, epsg", [
    ((116.39, 39.9), 32650), ((121.47, 31.23), 32651), ((87.6, 43.8), 32645),
    ((-70.6, -33.4), 32719), ((179.9, 10.0), 32660), ((-180.0, 10.0), 32601),
])
def test_zone_and_hemisphere(lonlat, epsg):
    assert geo.metric_crs(lonlat).to_epsg() == epsg


def test_matches_geopandas_estimate():
    frame = _points(GUILIN, (110.4, 25.3))
    assert geo.metric_crs(frame) == frame.estimate_utm_crs()


def test_other_geographic_crs_accepted():
    assert geo.metric_crs(_points(GUILIN, crs="EPSG:4490")).to_epsg() == 32649


def test_metric_crs_rejects_projected_missing_and_nonsense():
    with pytest.raises(ValueError, match="geographic"):
        geo.metric_crs(_points(GUILIN).to_crs(32649))
    with pytest.raises(ValueError, match="no CRS"):
        geo.metric_crs(gpd.GeoSeries([shapely.Point(GUILIN)]))
    with pytest.raises(ValueError):
        geo.metric_crs((1.0, 2.0, 3.0))
    with pytest.raises(ValueError):
        geo.metric_crs((500000.0, 2800000.0))


def test_to_metric_returns_a_projected_copy():
    frame = _points(GUILIN)
    metric = geo.to_metric(frame)
    assert metric.crs.to_epsg() == 32649 and frame.crs.to_epsg() == 4326
    assert metric.geometry.iloc[0].x > 1000  # metres, not degrees
    assert metric is not frame
    assert geo.to_metric(frame, "EPSG:32650").crs.to_epsg() == 32650


def test_to_metric_refuses_degrees_target_and_missing_crs():
    with pytest.raises(ValueError, match="degrees"):
        geo.to_metric(_points(GUILIN), "EPSG:4326")
    with pytest.raises(ValueError, match="no CRS"):
        geo.to_metric(gpd.GeoSeries([shapely.Point(GUILIN)]))


def test_guards():
    wgs, utm = _points(GUILIN), _points(GUILIN).to_crs(32649)
    bare = gpd.GeoSeries([shapely.Point(GUILIN)])
    geo.require_geographic(wgs)
    geo.require_projected(utm)
    with pytest.raises(ValueError, match=r"problems must be in a geographic CRS.*32649"):
        geo.require_geographic(utm, "problems")
    with pytest.raises(ValueError, match="no CRS"):
        geo.require_geographic(bare)
    with pytest.raises(ValueError, match=r"geographic EPSG:4326 \(degrees\)"):
        geo.require_projected(wgs)
    with pytest.raises(ValueError, match="no CRS"):
        geo.require_projected(bare)
    feet = pyproj.CRS("EPSG:2263")  # New York, US survey feet
    with pytest.raises(ValueError, match="not metres"):
        geo.require_projected(gpd.GeoSeries([shapely.Point(0, 0)], crs=feet))


def test_public_names_exported():
    for name in geo.__all__:
        assert hasattr(geo, name), name
    assert len(set(geo.__all__)) == len(geo.__all__)


def test_imports_without_streamlit():
    code = ("import sys; sys.modules['streamlit'] = None; import geo; "
            "assert 'streamlit' not in {m.split('.')[0] for m in sys.modules if sys.modules[m]}")
    root = Path(geo.__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
