"""The ModelBrowser in a real browser: JupyterLab on loopback, driven by headless Chromium through selenium.

JupyterLab opens a copy of notebooks/browse.ipynb and runs every cell (the notebook starts its own
embedded server); then the test clicks a model in the picker, the next page and a record, and checks
the table and the record as Chromium rendered them. A screenshot is kept in ``ZENOO_TEST_ARTIFACTS``
(default ``.artifacts/`` at the top of the checkout). ``make test`` installs Debian's ``chromium`` and
``chromium-driver``; without them (or without jupyterlab and selenium) the test is skipped.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromium-driver are not installed"
    ),
]
webdriver = pytest.importorskip("selenium.webdriver")
pytest.importorskip("jupyterlab")
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """JupyterLab serving a directory holding a copy of browse.ipynb; yields the notebook's URL."""
    root, settings = tmp_path / "notebooks", tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    root.mkdir()
    settings.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "browse.ipynb", root / "browse.ipynb")
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    port, token = _free_port(), secrets.token_hex(16)
    # no ZENOO_* settings: the notebook runs on its embedded server
    env = {key: value for key, value in os.environ.items() if not key.startswith("ZENOO_")}
    env.update(
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        # nothing of the user's: the kernel and the extensions come from the venv (sys.prefix)
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--allow-root",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "lab.log", "wb"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(
                        "JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()
                    ) from None
                time.sleep(0.3)
        yield f"{base}/doc/tree/browse.ipynb?token={token}"  # the notebook alone, without the side panels
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def chromium() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1100"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _artifacts() -> Path:
    folder = Path(os.environ.get("ZENOO_TEST_ARTIFACTS", ROOT / ".artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_model_browser_in_jupyterlab(lab: str, chromium: Any) -> None:
    try:
        _browse(chromium, lab)
    except Exception:
        print(chromium.execute_script("return document.querySelector('.jp-Notebook').innerText"))
        chromium.save_screenshot(str(_artifacts() / "model-browser-failure.png"))  # what the browser showed
        raise


def _browse(chromium: Any, lab: str) -> None:
    wait = WebDriverWait(chromium, 40)
    chromium.get(lab)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".jp-Notebook .jp-Cell")))

    def kernel_idle(driver: Any) -> bool:
        # on a busy machine JupyterLab may open the notebook before it has listed the kernels and ask
        # which one to start ("Select Kernel"); its proposal is the notebook's own kernel: accept it
        for accept in driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog .jp-Dialog-button.jp-mod-accept"):
            accept.click()
            return False
        return bool(driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator[data-status='idle']"))

    wait.until(kernel_idle)
    run_menu = next(
        item for item in chromium.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item") if item.text == "Run"
    )
    run_menu.click()
    wait.until(
        lambda d: [
            i for i in d.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel") if i.text == "Run All Cells"
        ]
    )
    next(
        i for i in chromium.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel") if i.text == "Run All Cells"
    ).click()

    def table(driver: Any) -> list[str]:
        return [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, ".zenoo-grid > *")]

    # the notebook ran to its end (about 10 s; more on a busy machine): the record it opened, then went
    # back to, is shown
    slow = WebDriverWait(chromium, 90)
    slow.until(lambda d: "res.partner" in d.find_element(By.CSS_SELECTOR, ".zenoo-record-title").text)
    slow.until(
        lambda d: "code reproduces the frame: True" in d.find_element(By.CSS_SELECTOR, ".jp-Notebook").text
    )

    # a model: res.country (24 countries in the demo data: two pages of 20)
    picker = chromium.find_element(By.CSS_SELECTOR, ".zenoo-models select")
    option = next(o for o in picker.find_elements(By.TAG_NAME, "option") if o.text.startswith("res.country "))
    option.click()
    wait.until(lambda d: "of 24 · page 1 of 2" in d.find_element(By.CSS_SELECTOR, ".zenoo-page-info").text)
    wait.until(lambda d: "Belgium" in table(d))  # the cells' views are rendered after the line above
    cells = table(chromium)
    assert cells[:2] == ["id", "name"] and "Belgium" in cells

    # a page
    next(
        b for b in chromium.find_elements(By.CSS_SELECTOR, ".zenoo-root button") if b.text == "Next ▶"
    ).click()
    wait.until(
        lambda d: "records 21–24 of 24 · page 2 of 2" in d.find_element(By.CSS_SELECTOR, ".zenoo-page-info").text
    )
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".zenoo-grid .zenoo-record")) == 4)
    rows = chromium.find_elements(By.CSS_SELECTOR, ".zenoo-grid .zenoo-record")
    assert len(rows) == 4 and "Belgium" not in table(chromium)
    chromium.save_screenshot(str(_artifacts() / "model-browser-records.png"))

    # a record
    record_id = rows[0].text
    rows[0].click()
    wait.until(
        lambda d: f"res.country {record_id}" in d.find_element(By.CSS_SELECTOR, ".zenoo-record-title").text
    )
    shown = chromium.find_element(By.CSS_SELECTOR, ".zenoo-record-body").text
    assert "code" in shown and "phone_code" in shown
    chromium.save_screenshot(str(_artifacts() / "model-browser-record.png"))
