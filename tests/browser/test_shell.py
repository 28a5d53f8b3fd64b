def test_home_page_in_spanish_then_english_without_csp_violations(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "es-mx"
    assert page.locator("h1").inner_text() == "Abre tu empresa en 24 horas"
    assert page.evaluate("typeof window.htmx") == "object"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Open your company in 24 hours"
    assert page.console_errors == []


def test_skip_link_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Saltar al contenido"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
