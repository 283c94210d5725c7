"""Opening archives and vector files without letting one bad part cost too much or lose the rest.

``check_zip`` reads only a zip's directory (declared sizes, compression ratios, the row
count of each worksheet) and refuses what would inflate past the import limits, before
calamine or GDAL inflate anything. ``read_features`` reads a GeoJSON or Shapefile keeping
the features whose own geometry is unreadable (an unclosed ring) as rows without one.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from civmap.ledger.errors import LedgerError
from civmap.ledger.limits import Limits, count_sheet_rows

__all__ = ["check_zip", "read_features", "read_zipped_shapefile"]

#: What a zipped Shapefile needs; other members are neither extracted nor counted.
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_VECTOR_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError, OSError)


def check_zip(data: bytes, suffix: str, limits: Limits) -> None:
    """Refuse a zip whose members would inflate past the ceiling, before inflating them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if suffix == ".zip":
                members = [m for m in members if m.filename.lower().endswith(_SHAPEFILE_PARTS)]
            limits.check_archive(members)
            if suffix in (".xlsx", ".xlsm"):
                for member in members:
                    if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                        limits.check_rows(count_sheet_rows(archive, member), Path(member.filename).stem)
    except zipfile.BadZipFile:
        raise LedgerError("unreadable", detail="not a zip archive") from None


def read_features(source, **options) -> tuple[gpd.GeoDataFrame, dict[int, str]]:
    """A vector file's features, and {position: reason} of those whose geometry is unreadable.

    ``source()`` gives the file afresh (a buffer is consumed by a read). GDAL hands over an
    unclosed ring as it is and shapely refuses it, which would fail the whole file; then
    the file is read again keeping such geometries as None, and each one's reason is found
    from its own bytes, so the feature is rejected on its row and the others are kept.
    """
    try:
        return gpd.read_file(source(), **options), {}
    except shapely.errors.GEOSException:
        pass
    except UnicodeDecodeError:
        raise  # the caller tries another encoding
    except _VECTOR_ERRORS as error:
        raise LedgerError("unreadable", detail=str(error)[:200]) from None
    try:
        frame = gpd.read_file(source(), on_invalid="ignore", **options)
        _, _, wkb, _ = pyogrio.raw.read(source(), columns=[], **options)
    except UnicodeDecodeError:
        raise
    except _VECTOR_ERRORS as error:
        raise LedgerError("unreadable", detail=str(error)[:200]) from None
    unreadable = {}
    for position in np.flatnonzero(frame.geometry.isna().to_numpy()):
        if wkb[position] is not None:
            try:
                shapely.from_wkb(wkb[position])
            except shapely.errors.GEOSException as error:
                unreadable[int(position)] = str(error).split(":", 1)[-1].strip()[:120]
    return frame, unreadable


def _extract(archive: zipfile.ZipFile, folder: str) -> None:
    """The Shapefile's parts, flattened into ``folder`` (no path escapes), streamed to disk."""
    for member in archive.infolist():
        if member.is_dir() or not member.filename.lower().endswith(_SHAPEFILE_PARTS):
            continue
        target = Path(folder) / Path(member.filename).name
        with archive.open(member) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)


def read_zipped_shapefile(data: bytes) -> tuple[gpd.GeoDataFrame, dict[int, str]]:
    with tempfile.TemporaryDirectory(prefix="civmap-shp-") as folder:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                _extract(archive, folder)
        except zipfile.BadZipFile as error:
            raise LedgerError("unreadable", detail=f"not a zip archive ({error})"[:200]) from None
        shapes = sorted(Path(folder).glob("*.shp"))
        if len(shapes) != 1:
            raise LedgerError("zip_needs_one_shapefile", count=len(shapes))
        shp = shapes[0]
        try:
            if shp.with_suffix(".cpg").exists():
                return read_features(lambda: shp)
            try:  # no code page file: UTF-8, else the GBK family Chinese GIS software writes
                return read_features(lambda: shp, encoding="utf-8")
            except UnicodeDecodeError:
                return read_features(lambda: shp, encoding="gb18030")
        except UnicodeDecodeError as error:
            raise LedgerError("unreadable", detail=str(error)[:200]) from None
