"""The bodies of the page tests, shared by the synthetic layer (tests/app/test_<page>.py, no mirror)
and the real-data layer (tests/integration/test_pages_<page>_real.py): each layer passes its own
territories and counts, so that a change to a page's test is made once, here.

Not collected by pytest (no `test_` prefix); tests/conftest.py has pytest rewrite its asserts, so that
a failure here says the values as in a test module.
"""
