"""AppTest: the Sources page says the IFN's newest public edition (no newer one is published as data)."""


def test_sources_page_says_the_ifn_newest_known_edition(app):
    from indicateurs.reference.catalogue import get_source

    at = app.switch_page("app_pages/sources.py").run()
    assert not at.exception
    sources = at.dataframe[0].value.set_index("Source")
    assert (
        "dernière édition publique connue : 2023"
        in sources.loc[get_source("ifn_communes_2023").title, "Millésime"]
    )
