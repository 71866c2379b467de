"""Signing in, the pipeline list with roles, and creating a pipeline, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.harness import WebStack, screenshot, sign_in


def test_sign_in_shows_the_pipelines_with_the_role(web: WebStack) -> None:
    page = web.page()
    page.goto("/p/demo/dashboard")
    expect(page).to_have_url(f"{web.url}/login?next=%2Fp%2Fdemo%2Fdashboard")
    page.get_by_label("Username").fill("operator")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    screenshot(page, "sign-in")

    page.get_by_label("Password").fill("pw-operator")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{web.url}/p/demo/dashboard")
    page.get_by_role("link", name="Joinery").click()
    row = page.get_by_role("row").filter(has_text="demo")
    expect(row).to_contain_text("operator")
    screenshot(page, "pipelines")
    page.context.close()


def test_a_newcomer_creates_a_pipeline_and_lands_in_its_builder(web: WebStack) -> None:
    page = web.page()
    sign_in(page, "newcomer", "pw-newcomer")
    expect(page.get_by_text("You are not a member of any pipeline yet")).to_be_visible()
    page.get_by_label("Name").fill("Imaging")
    page.get_by_label("Schema in the data database").fill("imaging")
    page.get_by_role("button", name="Create pipeline").click()
    expect(page).to_have_url(f"{web.url}/p/imaging/builder")
    expect(page.get_by_role("heading", name="Imaging")).to_be_visible()
    expect(page.locator(".role")).to_have_text("owner")
    page.context.close()
