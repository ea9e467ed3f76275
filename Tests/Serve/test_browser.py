"""The web app in a real browser (headless Chromium driven by Selenium): every page renders without
script errors, the scatterplot zooms and its legend and points respond to clicks, the trace page shows
the tree, the query page shows result rows and a chart and positions its errors, review verdicts and
dataset promotion work from the page, hostile trace content stays inert, and screenshots are taken
and checked. Needs chromium and chromium-driver (Debian) and selenium (PyPI)."""
import json
import os
import shutil
import struct
import subprocess
import sys
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from serve_support import SIFT, Server

SHOTS = os.environ.get("SIFT_SCREENSHOTS", "/tmp/sift-screenshots")


def browser():
    opts = Options()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"]:
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=opts)


def shot(driver, name):
    """Saves a screenshot and checks it is a real picture: a PNG of the window's size that is not blank."""
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, name + ".png")
    png = driver.get_screenshot_as_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n", name
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 1000 and height >= 600, (name, width, height)
    # A blank page compresses to almost nothing; a rendered one does not.
    assert len(png) > 20_000, (name, len(png))
    with open(path, "wb") as f:
        f.write(png)
    return path


def navigate(driver, element):
    """Clicks something that loads another page and waits until the old one is gone."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def gone(_):
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as e:
            # While the new page loads, Chrome may report the old node this way instead of as stale.
            if "does not belong to the document" in str(e):
                return True
            raise

    WebDriverWait(driver, 20).until(gone)


def page_ok(driver):
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
    errors = driver.find_element(By.TAG_NAME, "body").get_attribute("data-errors")
    assert not errors, errors
    assert driver.execute_script("return window.pwned") is None, "hostile content ran"


def main():
    store = os.path.join(os.path.dirname(SIFT), "..", "browser-demo.db")
    store = os.path.abspath(os.path.join(os.environ.get("TMPDIR", "/tmp"), "sift-browser-demo.db"))
    subprocess.run([SIFT, "demo", "--db", store, "--traces", "400"], check=True, stdout=subprocess.DEVNULL)
    with Server(db=store, args=["--classify-after", "off"]) as s:
        # Hostile content, as an agent might log it.
        hostile = ["<script>window.pwned=1</script>", "\"><img src=x onerror=\"window.pwned=2\">", "</script><script>window.pwned=3</script>",
                   "<svg onload=window.pwned=4>", "javascript:window.pwned=5"]
        spans = [{"traceId": "f" * 32, "spanId": "%016x" % (i + 1), "name": h, "startTimeUnixNano": "1733000000000000000",
                  "attributes": [{"key": "input.value", "value": {"stringValue": h}}, {"key": "output.value", "value": {"stringValue": h}},
                                 {"key": h, "value": {"stringValue": h}}],
                  **({"parentSpanId": "%016x" % 1} if i else {})} for i, h in enumerate(hostile)]
        body = json.dumps({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "demo"}}]},
                                              "scopeSpans": [{"spans": spans}]}]}).encode()
        status, _, resp = s.post("/v1/traces", body, {"Content-Type": "application/json"})
        assert status == 200, (status, resp)

        d = browser()
        try:
            # Projects.
            d.get(s.url + "/")
            page_ok(d)
            link = d.find_element(By.LINK_TEXT, "demo")
            assert "401" in d.find_element(By.TAG_NAME, "table").text  # 400 demo traces + the hostile one
            shot(d, "projects")
            navigate(d, link)
            page_ok(d)

            # Topics: scatterplot, legend, zoom, click through to a topic's traces and to a trace.
            d.get(s.url + "/projects/demo/topics/Issues")
            page_ok(d)
            body_el = d.find_element(By.TAG_NAME, "body")
            assert body_el.get_attribute("data-status") == "ok"
            assert int(body_el.get_attribute("data-topics")) >= 3
            assert int(body_el.get_attribute("data-points")) >= 300
            shot(d, "topics")
            first = d.find_element(By.CSS_SELECTOR, "#legend div[data-t='0']")
            first.find_element(By.TAG_NAME, "span").click()
            assert "on" in first.get_attribute("class")
            assert "dim" in d.find_element(By.ID, "scatter").get_attribute("class")
            svg = d.find_element(By.ID, "scatter")
            d.execute_script("arguments[0].dispatchEvent(new WheelEvent('wheel',{deltaY:-100,clientX:300,clientY:260,bubbles:true,cancelable:true}))", svg)
            assert float(body_el.get_attribute("data-zoom")) > 1.0
            ActionChains(d).move_to_element(svg).double_click().perform()
            assert float(body_el.get_attribute("data-zoom")) == 1.0
            # Hover shows the summary.
            circle = d.find_element(By.CSS_SELECTOR, "#scatter circle")
            ActionChains(d).move_to_element(circle).perform()
            tip = d.find_element(By.ID, "tip")
            WebDriverWait(d, 5).until(lambda _: tip.is_displayed())
            # Clicking a point opens its trace.
            target = circle.get_attribute("data-href")
            d.execute_script("arguments[0].dispatchEvent(new MouseEvent('click',{bubbles:true}))", circle)
            WebDriverWait(d, 10).until(lambda _: "/traces/" in d.current_url)
            assert urllib.parse.unquote(d.current_url).endswith(urllib.parse.unquote(target))
            page_ok(d)
            # Back to the topics, open one topic's traces.
            d.get(s.url + "/projects/demo/topics/Issues")
            navigate(d, d.find_element(By.CSS_SELECTOR, "#legend a.open"))
            page_ok(d)
            rows = d.find_elements(By.CSS_SELECTOR, "table.cells tr")
            assert len(rows) >= 2, len(rows)
            navigate(d, rows[1].find_element(By.TAG_NAME, "a"))

            # A trace: tree, facets, topics.
            page_ok(d)
            assert len(d.find_elements(By.CSS_SELECTOR, "#tree .span")) >= 2
            assert "Topics" in d.page_source and "Sentiment" in d.page_source
            shot(d, "trace")

            # The hostile trace: every payload shown as text, none run.
            d.get(s.url + "/projects/demo/traces/" + "f" * 32)
            page_ok(d)
            text = d.find_element(By.ID, "tree").text
            for h in hostile:
                assert h in text, h
            assert d.find_elements(By.CSS_SELECTOR, "#tree img, #tree svg, #tree script") == []
            shot(d, "hostile")

            # Query: results, chart, linked ids, positioned errors.
            q = "SELECT classifications.Issues[0].label AS issue, count(1) AS traces FROM project_logs('demo', shape => 'traces') GROUP BY issue ORDER BY traces DESC"
            d.get(s.url + "/projects/demo/query")
            area = d.find_element(By.ID, "q")
            area.clear()
            area.send_keys(q)
            navigate(d, d.find_element(By.ID, "run"))
            page_ok(d)
            rows = d.find_elements(By.CSS_SELECTOR, "#results tr")
            assert len(rows) >= 4, len(rows)
            assert len(d.find_elements(By.CSS_SELECTOR, "#chart rect")) == len(rows) - 1
            shot(d, "query")
            d.get(s.url + "/projects/demo/query?q=" + urllib.parse.quote("SELECT input FROM project_logs('demo') WHERE input ILIKE '%" + hostile[0] + "%'"))
            page_ok(d)
            assert hostile[0] in d.find_element(By.ID, "results").text
            d.get(s.url + "/projects/demo/query?q=" + urllib.parse.quote("SELECT id\nFROM project_logs('demo')\nWHERE nosuchfield = 1"))
            page_ok(d)
            err = d.find_element(By.ID, "query-error")
            assert err.get_attribute("data-line") == "3", err.get_attribute("data-line")
            assert "nosuchfield" in err.text
            d.get(s.url + "/projects/demo/query?q=" + urllib.parse.quote("error IS NOT NULL"))  # the bare filter form
            page_ok(d)
            assert len(d.find_elements(By.CSS_SELECTOR, "#results tr")) >= 2
            d.get(s.url + "/projects/demo/query?q=" + urllib.parse.quote("select: id | from: project_logs('demo') | limit: 3"))
            page_ok(d)
            assert len(d.find_elements(By.CSS_SELECTOR, "#results tr")) == 4

            # Review: assign, record a verdict, promote to a dataset.
            d.get(s.url + "/projects/demo/review")
            page_ok(d)
            d.find_element(By.NAME, "reviewer").send_keys("ann")
            d.find_element(By.NAME, "filter").send_keys("classifications.Issues[0].label IS NOT NULL")
            cap = d.find_element(By.NAME, "cap")
            cap.clear()
            cap.send_keys("3")
            navigate(d, d.find_element(By.XPATH, "//button[text()='Assign']"))
            page_ok(d)
            assert "assigned 3 traces" in d.page_source, d.page_source[:2000]
            queue = d.find_elements(By.CSS_SELECTOR, "#queue tr[data-item]")
            assert len(queue) == 3
            queue[0].find_element(By.NAME, "comment").send_keys("<b>looks right</b>")
            navigate(d, queue[0].find_element(By.XPATH, ".//button"))
            page_ok(d)
            assert "recorded item" in d.page_source
            assert "<b>looks right</b>" in d.find_element(By.ID, "queue").text
            d.find_element(By.XPATH, "//input[@name='name']").send_keys("confirmed-issues")
            d.find_elements(By.NAME, "filter")[1].send_keys("classifications.Issues[0].metadata.review.verdict = 'confirm'")
            navigate(d, d.find_element(By.XPATH, "//button[text()='Promote']"))
            page_ok(d)
            assert "added 1 traces to confirmed-issues" in d.page_source, d.page_source[:3000]
            assert "confirmed-issues" in d.find_element(By.ID, "datasets").text
            shot(d, "review")

            # Status.
            d.get(s.url + "/status")
            page_ok(d)
            assert "spans committed" in d.page_source
            shot(d, "status")
        finally:
            d.quit()
    print("browser: projects, topics (zoom, hover, legend, point and topic click-through), trace, hostile content inert, query (rows, chart, error at line 3), review and dataset from the page, status; screenshots in " + SHOTS)


if __name__ == "__main__":
    main()
    sys.exit(0)
