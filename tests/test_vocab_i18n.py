"""Vocabularies come from data; UI text exists in both languages; settings are documented."""

import re
from pathlib import Path

import pandas as pd
import pytest

from civmap.config import SETTINGS, load_settings
from civmap.i18n import area_names, localized_areas, messages, t
from civmap.vocab import VOCAB_DIR, load_vocabulary

ROOT = Path(__file__).resolve().parent.parent


def test_vocabularies_load_with_types_and_colours():
    v = load_vocabulary()
    assert set(v.statuses["type"]) == {"open", "fixed", "closed"}
    assert v.closed_statuses == ["closed"]
    assert "reported" in v.unresolved_statuses and "closed" not in v.unresolved_statuses
    for kind in ("point_categories", "problem_categories", "statuses", "centre_kinds", "alley_states"):
        colors = v.colors(kind)
        assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colors.values()), kind
    assert v.label("point_categories", "farmers_market") == "农贸市场"
    assert v.label("point_categories", "retired_code") == "retired_code"
    assert v.centre_kind_of("farmers_market") == "market" and v.centre_kind_of("school") is None
    assert v.time_limit_days("bin_damage") == 1


def test_an_office_can_bring_its_own_lists(tmp_path):
    for path in VOCAB_DIR.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    extra = pd.read_csv(tmp_path / "problem_categories.csv", dtype=str)
    extra.loc[len(extra)] = ["dog_fouling", "犬只粪便", "Dog fouling", "#123456", "1", "1"]
    extra.to_csv(tmp_path / "problem_categories.csv", index=False)
    assert load_vocabulary(tmp_path).label("problem_categories", "dog_fouling") == "犬只粪便"
    bad = pd.read_csv(tmp_path / "statuses.csv", dtype=str)
    bad.loc[0, "type"] = "pending"
    bad.to_csv(tmp_path / "statuses.csv", index=False)
    with pytest.raises(ValueError, match="pending"):
        load_vocabulary.__wrapped__(tmp_path)  # uncached: the first load above was cached


def test_every_message_has_both_languages():
    for key, (zh, en) in messages().items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
    assert t("fig.overdue", "zh") == "超期问题" and t("fig.overdue", "en") == "Overdue"
    assert t("no.such.key") == "no.such.key"


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, f"README does not document {setting.env}"


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="CIVMAP_CIRCLE_RADIUS_M"):
        load_settings({"CIVMAP_CIRCLE_RADIUS_M": "三百"})
    with pytest.raises(ValueError, match="CIVMAP_ASSESSMENT_DATE"):
        load_settings({"CIVMAP_ASSESSMENT_DATE": "2027/6/1"})
    with pytest.raises(ValueError, match="CIVMAP_TILES"):
        load_settings({"CIVMAP_TILES": "baidu"})


def test_areas_are_called_by_their_english_names_where_the_data_gives_one():
    areas = pd.DataFrame({"code": ["D01", "D02", "D03"], "name": ["江城区", "秀山区", "叠翠区"],
                          "name_en": ["Jiangcheng", None, "  "]})
    assert area_names(areas, "en") == {"D01": "Jiangcheng", "D02": "秀山区", "D03": "叠翠区"}
    assert area_names(areas, "zh") == {"D01": "江城区", "D02": "秀山区", "D03": "叠翠区"}
    assert localized_areas(areas.drop(columns="name_en"), "en")["name"].tolist() == ["江城区", "秀山区", "叠翠区"]
    assert areas["name"].tolist() == ["江城区", "秀山区", "叠翠区"]  # the input is left as it was
