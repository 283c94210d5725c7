"""geo/ and civmap/ (but for ui.py) run without Streamlit, and dependencies point one way."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = """
import sys, importlib, pkgutil
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "streamlit" or name.startswith("streamlit."):
            raise ImportError("streamlit is blocked in this test")
sys.meta_path.insert(0, Block())
import civmap, geo
for pkg in (civmap, geo):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        # civmap.ui is the Streamlit side, found by its name, not listed by hand
        if info.name != "civmap.__main__" and not (info.name + ".").startswith("civmap.ui."):
            importlib.import_module(info.name)
print("ok")
"""


def test_package_imports_without_streamlit():
    result = subprocess.run([sys.executable, "-c", BLOCK], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_geo_depends_on_neither_civmap_nor_streamlit():
    for path in (ROOT / "geo").rglob("*.py"):
        assert not _imports(path) & {"civmap", "streamlit", "sqlalchemy"}, path


def test_pages_hold_no_sql_geometry_or_broad_excepts():
    for path in list((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py"]:
        text = path.read_text(encoding="utf-8")
        assert not _imports(path) & {"sqlalchemy", "shapely", "geopandas", "pyproj", "folium", "geo"}, path
        assert "except Exception" not in text, path
        assert "st.cache" not in text, f"{path}: caching belongs in civmap/ui/"


def test_no_module_imports_a_private_name_from_another():
    for path in [*(ROOT / "civmap").rglob("*.py"), *(ROOT / "geo").rglob("*.py"), *(ROOT / "pages").glob("*.py"),
                 ROOT / "dashboard.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__all__"]
                assert not private, f"{path}: imports {private} from {node.module}"


def test_sql_stays_in_storage():
    """Only storage builds queries; elsewhere a database error may be caught, nothing more."""
    allowed = {"sqlalchemy.exc"}
    outside = [p for p in (ROOT / "civmap").rglob("*.py") if "storage" not in p.relative_to(ROOT).parts]
    for path in outside:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and getattr(block.test, "id", None) == "TYPE_CHECKING" for n in ast.walk(block)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqlalchemy"):
                assert node.module in allowed, f"{path}: imports {node.module}"
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("sqlalchemy") for a in node.names), path
