"""Finding the widget's UI on a host page: it lives in an open shadow root on some element the
script adds, and its conversation may be inside an iframe of /chat (the CSP lets /chat be framed)."""

import webdriver

# The element whose open shadow root holds the launcher, whatever the widget calls it.
FIND_HOST = """
for (const el of document.querySelectorAll('*'))
  if (el.shadowRoot && el.shadowRoot.querySelector('[data-testid="launcher"]')) return el;
return null;"""


def open_panel(b, timeout=15):
    """Waits for the launcher, clicks it, returns the shadow root once the panel shows."""
    host = webdriver.wait_until(lambda: b.execute(FIND_HOST), timeout, "the widget's shadow root with a launcher")
    root = host.shadow_root()
    root.find('[data-testid="launcher"]').click()
    root.wait_for('[data-testid="panel"]', timeout=10)
    return root


def enter_conversation(b, root):
    """Switches into the panel's iframe if it has one; returns where the composer is found."""
    frames = root.find('[data-testid="panel"]').find_all("iframe")
    if frames:
        b.switch_to_frame(frames[0])
        return b
    return root


def panel_text(b, root):
    """Everything the panel shows, iframe content included."""
    text = root.find('[data-testid="panel"]').text
    frames = root.find('[data-testid="panel"]').find_all("iframe")
    if frames:
        b.switch_to_frame(frames[0])
        try:
            text += "\n" + b.find("body").text
        finally:
            b.switch_to_frame(None)
    return text
