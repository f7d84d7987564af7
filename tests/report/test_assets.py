"""What report.html inlines and links: nothing from the data can close a <script> element or
turn a link into a scheme."""
from __future__ import annotations

from pipeline.report.assets import href, script_safe, template_environment
from report.hostile import HOSTILE


def test_script_safe_and_tojson_cannot_close_a_script_element():
    assert "</script" not in script_safe("var s = '</script><script>alert(1)</SCRIPT>';").lower()
    env = template_environment()
    rendered = env.from_string("<p title='{{ x }}'>{{ x }}</p><script>var d = {{ x|tojson }};</script>").render(x=HOSTILE["script"] + "'\"")
    assert "<script>alert" not in rendered
    assert rendered.count("<script>") == 1 and rendered.count("</script>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_href_cannot_become_a_scheme():
    assert href("quality/javascript:alert(1).csv") == "quality/javascript%3Aalert%281%29.csv"
    assert not href("javascript:alert(1)").startswith("javascript:")
