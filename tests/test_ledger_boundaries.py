"""The office's own boundaries: GeoJSON and zipped Shapefiles, levels, parents, bad polygons."""

import io
import json
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from civmap import ledger
from civmap.storage import make_engine
from civmap.storage.store import Store
from civmap.vocab import load_vocabulary
from geo import WGS84, wgs84_to_gcj02

VOCAB = load_vocabulary()


def _communities(street: gpd.GeoSeries) -> list:
    """Two communities splitting a street's polygon along its middle meridian."""
    west, south, east, north = street.bounds
    middle = (west + east) / 2
    return [street.intersection(shapely.box(west - 1, south - 1, middle, north + 1)),
            street.intersection(shapely.box(middle, south - 1, east + 1, north + 1))]


def _geojson(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(shape))}
        for props, shape in features]}, ensure_ascii=False).encode()


def test_communities_from_geojson_find_their_street_and_bad_features_are_rejected(scratch_db_url):
    store = Store(make_engine(scratch_db_url))
    street = store.areas("street").iloc[0]
    west_half, east_half = _communities(street.geometry)
    bowtie = shapely.Polygon([(110.25, 25.25), (110.26, 25.26), (110.26, 25.25), (110.25, 25.26)])
    data = _geojson([
        ({"代码": "C001", "名称": "西社区", "层级": "社区"}, west_half),
        ({"代码": "C002", "名称": "东社区", "层级": "社区", "上级代码": street["name"]}, east_half),
        ({"代码": "C003", "名称": "线", "层级": "社区"}, shapely.LineString([(110.25, 25.25), (110.26, 25.26)])),
        ({"代码": "C004", "名称": "蝴蝶", "层级": "社区"}, bowtie),
        ({"代码": "C005", "名称": "无层级", "层级": "片区"}, west_half),
        ({"代码": "C001", "名称": "重复", "层级": "社区"}, west_half),
    ])
    checked = ledger.check_file(data, "社区边界.geojson", "boundaries", store, VOCAB)
    assert {(i.row, i.code) for i in checked.issues} == {
        (1, "duplicate_id"), (6, "duplicate_id"), (3, "need_polygon"), (4, "invalid_polygon"), (5, "bad_level")}
    assert checked.summary()["insert"] == 1
    data = _geojson([({"代码": "C001", "名称": "西社区", "层级": "社区"}, west_half),
                     ({"代码": "C002", "名称": "东社区", "层级": "community", "上级代码": street["name"]}, east_half)])
    checked = ledger.check_file(data, "社区边界.geojson", "boundaries", store, VOCAB)
    assert not checked.issues
    ledger.commit_ledger(store, checked, VOCAB)
    communities = store.areas("community").set_index("code")
    assert set(communities["parent_code"]) == {street["code"]}
    assert communities.loc["C001", "geometry"].equals_exact(west_half, 1e-7)


def test_zipped_shapefile_in_gbk_and_a_projected_crs(scratch_db_url, tmp_path):
    store = Store(make_engine(scratch_db_url))
    district = store.districts().iloc[0]
    moved = shapely.affinity.translate(district.geometry, 0.0001, 0.0)  # an official, slightly finer edge
    frame = gpd.GeoDataFrame({"adcode": [450302], "名称": [district["name"] + "（新）"], "级别": ["区县"]},
                             geometry=[moved], crs=WGS84).to_crs("EPSG:32649")  # UTM metres
    frame["adcode"] = district["code"]
    folder = tmp_path / "shp"
    folder.mkdir()
    frame.to_file(folder / "区界.shp", encoding="gbk")
    (folder / "区界.cpg").unlink()  # as often shipped: no code page file
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.iterdir():
            archive.write(path, f"区界/{path.name}")
    checked = ledger.check_file(buffer.getvalue(), "区界.zip", "boundaries", store, VOCAB)
    assert not checked.issues and checked.actions == {district["code"]: "update"}
    ledger.commit_ledger(store, checked, VOCAB)
    stored = store.districts().set_index("code").loc[district["code"]]
    assert stored["name"] == district["name"] + "（新）"
    assert stored.geometry.equals_exact(moved, 1e-6)


def test_gcj02_boundaries_are_converted(demo_store):
    street = demo_store.areas("street").iloc[2]
    shifted = shapely.transform(street.geometry, lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
    data = _geojson([({"code": street["code"], "name": street["name"], "level": "street"}, shifted)])
    checked = ledger.check_file(data, "streets.geojson", "boundaries", demo_store, VOCAB, crs="gcj02")
    assert not checked.issues
    got = checked.records[0].values["shape"]
    assert got.equals_exact(street.geometry, 1e-7)
    assert checked.actions[street["code"]] == "same"


@pytest.mark.parametrize("name", ["a.csv", "a.xlsx"])
def test_boundaries_need_a_vector_file(demo_store, name):
    with pytest.raises(ledger.LedgerError):
        ledger.check_file(b"x", name, "boundaries", demo_store, VOCAB)
