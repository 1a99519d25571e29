"""A person at the live server, played with a plain requests session: sign in, open the
consent screen, click Allow or Deny. Shared by the end-to-end and conformance suites,
where a client library does everything else."""

import re

import requests

TIMEOUT = 10
CONSENT_SENTENCE = "would like the ability to access the following data in your account"


def hidden_inputs(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = value.group(1).replace("&amp;", "&") if value else ""
    return fields


def signed_in_browser(base: str, username: str, password: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/accounts/login/", timeout=TIMEOUT)
    token = hidden_inputs(page.text)["csrfmiddlewaretoken"]
    response = browser.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302
    return browser


def answer_consent(browser: requests.Session, authorization_url: str, *, allow: bool = True) -> str:
    """Open the consent screen, click Allow (or Deny), return where the browser is sent."""
    page = browser.get(authorization_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    assert CONSENT_SENTENCE in page.text
    data = hidden_inputs(page.text)
    if allow:
        data["allow"] = "Allow"
    response = browser.post(page.url, data=data, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302
    return response.headers["Location"]


def allow(browser: requests.Session, authorization_url: str) -> str:
    return answer_consent(browser, authorization_url, allow=True)


def redirect_without_consent(browser: requests.Session, authorization_url: str) -> str:
    """Where the authorize endpoint sends the browser at once (an error before consent)."""
    response = browser.get(authorization_url, allow_redirects=False, timeout=TIMEOUT)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]
