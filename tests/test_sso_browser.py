"""Single sign-on end to end in Chromium: ``st.login`` against a real OpenID Connect provider
(``oidc-provider-mock``) started on localhost, the identity looked up in civmap's accounts.

The app gets the provider through a secrets file of its own (``--secrets.files``), so no
``.streamlit/secrets.toml`` is needed in the repository.
"""

from __future__ import annotations

import pytest

from civmap import accounts, audit
from civmap.storage import make_engine
from civmap.storage.store import Store
from civmap.testing import free_port, running_app, wait_for
from civmap.vocab import load_vocabulary
from conftest import BROWSER

pytestmark = BROWSER


@pytest.fixture
def provider():
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def test_sign_in_with_the_citys_single_sign_on(provider, office_db_url, browser, tmp_path):
    store = Store(make_engine(office_db_url))
    district = sorted(store.district_names())[0]
    accounts.add_user(store.engine, load_vocabulary(), "operator", "li", "李区长", "district_head",
                      accounts.Area([district]), sso_sub="li@city.example")
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "a test cookie secret that is long enough"
client_id = "civmap"
client_secret = "civmap-test-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""", encoding="utf-8")
    with running_app({"CIVMAP_DATABASE_URL": office_db_url, "CIVMAP_LANG": "en"}, port=port,
                     options={"secrets.files": str(secrets)}):
        page = browser.new_page()
        try:
            page.goto(f"http://localhost:{port}/")
            page.get_by_role("button", name="Sign in with the city's single sign-on").click(timeout=60_000)
            page.wait_for_url(f"{provider}/**", timeout=30_000)
            page.fill("input[name=sub]", "li@city.example")
            page.get_by_role("button", name="Authorize").click()
            names = store.district_names("en")
            wait_for(page, f"document.body.innerText.includes('Signed in as 李区长 (District head · {names[district]})')",
                     timeout=60, frames=False)
            assert page.url.startswith(f"http://localhost:{port}/")
            text = page.inner_text("body")
            assert "Sign in" not in text.split("Signed in as")[0][-40:]  # the form is gone
            # his overview: counts for his district (the caption names the whole area he may see)
            wait_for(page, "document.body.innerText.includes('Overdue')", timeout=60, frames=False)
            others = [name for code, name in names.items() if code != district]
            assert not [name for name in others if name in page.inner_text("body")]
        finally:
            page.close()
    trail = audit.trail(store.engine, actions=("login_ok",))
    assert trail["actor"].tolist() == ["li"] and '"via": "sso"' in trail["detail"].iloc[0]
